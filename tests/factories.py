"""factory_boy factories for the registry, on Lai Châu's official units.

The units themselves are never made up: the test database holds Lai Châu (code 12)
from the official list, and the factories pick its districts and communes by code.
"""

import factory
from factory.django import DjangoModelFactory

from registry.enums import ProducerKind, RegistrationKind, Role
from registry.models import (
    Commune,
    District,
    Producer,
    Product,
    ProductSet,
    Province,
    Registration,
    User,
)

LAI_CHAU = "12"
LAI_CHAU_CITY = "105"
TAM_DUONG = "106"


def province(code=LAI_CHAU):
    return Province.objects.get(code=code)


def district(code):
    return District.objects.get(code=code)


def commune(name, district_code):
    """An old (before 1 July 2025) commune, by its name within its district."""
    return Commune.objects.get(
        name=name, district__code=district_code, is_current=False
    )


def first_commune(district_code):
    return (
        Commune.objects.filter(district__code=district_code, is_current=False)
        .order_by("code")
        .first()
    )


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Văn"
    last_name = "Nguyễn"
    role = Role.PROVINCE_STAFF
    province = factory.LazyFunction(province)
    password = factory.django.Password("mat-khau-thu")


class ProductSetFactory(DjangoModelFactory):
    class Meta:
        model = ProductSet
        django_get_or_create = ("number",)

    number = 1
    name = "Rau, củ, quả, hạt tươi"
    sector_code = "I"
    sector_name = "Thực phẩm"
    group_code = "I.1"
    group_name = "Thực phẩm tươi sống"


class ProducerFactory(DjangoModelFactory):
    class Meta:
        model = Producer

    province = factory.LazyFunction(province)
    name = factory.Sequence(lambda n: f"Hợp tác xã Nông nghiệp số {n}")
    kind = ProducerKind.COOPERATIVE
    representative = "Lò Văn Minh"
    phone = factory.Sequence(lambda n: f"09{n:08d}")
    address = "Bản Nà Bỏ"
    commune = factory.LazyFunction(lambda: first_commune(TAM_DUONG))


class ProductFactory(DjangoModelFactory):
    class Meta:
        model = Product

    producer = factory.SubFactory(ProducerFactory)
    name = factory.Sequence(lambda n: f"Chè Shan tuyết số {n}")


class RegistrationFactory(DjangoModelFactory):
    class Meta:
        model = Registration

    product = factory.SubFactory(ProductFactory)
    year = 2023
    kind = RegistrationKind.NEW
    province = factory.LazyAttribute(lambda r: r.product.producer.province)
    district = factory.LazyAttribute(
        lambda r: (
            r.product.producer.commune.district
            if r.product.producer.commune_id
            else None
        )
    )


class Area:
    """Records spread over two districts and a commune, for the permission tests.

    - ``tam_duong``: a Tam Đường producer whose product Tam Đường registered;
    - ``binh_lu``: a producer of Xã Bình Lư (Tam Đường), registered by Tam Đường;
    - ``city``: a Lai Châu city producer whose product the city registered;
    - ``crossed``: a Tam Đường producer whose product the city registered.
    """

    def __init__(self, year=2023):
        tam_duong = commune("Thị trấn Tam Đường", TAM_DUONG)
        binh_lu = commune("Xã Bình Lư", TAM_DUONG)
        city = first_commune(LAI_CHAU_CITY)
        self.tam_duong = RegistrationFactory(
            product__name="Chè Shan tuyết Tam Đường",
            product__producer__commune=tam_duong,
            year=year,
        ).product
        self.binh_lu = RegistrationFactory(
            product__name="Miến dong Bình Lư",
            product__producer__commune=binh_lu,
            year=year,
        ).product
        self.city = RegistrationFactory(
            product__name="Rượu San Thàng",
            product__producer__commune=city,
            year=year,
        ).product
        self.crossed = RegistrationFactory(
            product__name="Mật ong Bản Bo",
            product__producer__commune=tam_duong,
            district=district(LAI_CHAU_CITY),
            year=year,
        ).product
