"""Filters for the lists of producers, products and registrations (django-filter).

The year, registering district and registration kind of a product list apply to one
and the same registration: "Tam Đường, 2023, new" finds products that Tam Đường
registered as new in 2023, not products that match each condition in different years.
Search folds case and accents the way ``search_text`` was folded at save, so it works
the same on SQLite and PostgreSQL.
"""

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q, Subquery
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .collation import VietnameseOrder
from .enums import ProducerKind, RegistrationKind
from .models import Commune, District, Producer, Product, ProductSet, Registration
from .permissions import visible_registrations
from .text import fold

SELECT = forms.Select(attrs={"class": "form-select form-select-sm"})
ALL = pgettext_lazy("filter", "Tất cả")


def search_words(value):
    """The folded words of a search box, each of which must be found."""
    return fold(value).split()


def user_province_id(user):
    """The province a user works for (a superuser without one: any)."""
    return getattr(user, "province_id", None)


class RegistryFilterSet(django_filters.FilterSet):
    """What the three lists share: the place, the year and the search box."""

    q = django_filters.CharFilter(
        label=_("Tìm kiếm"),
        method="filter_nothing",
        widget=forms.TextInput(
            attrs={
                "class": "form-control form-control-sm",
                "placeholder": _("Tên, người đại diện, điện thoại… (không cần dấu)"),
                "type": "search",
            }
        ),
    )
    year = django_filters.TypedChoiceFilter(
        label=pgettext_lazy("programme year", "Năm"),
        method="filter_nothing",
        coerce=int,
        widget=SELECT,
    )
    district = django_filters.ModelChoiceFilter(
        label=_("Huyện đăng ký"),
        queryset=District.objects.none(),
        method="filter_nothing",
        empty_label=ALL,
        widget=SELECT,
    )
    commune = django_filters.ModelChoiceFilter(
        label=_("Xã của chủ thể"),
        queryset=Commune.objects.none(),
        method="filter_nothing",
        empty_label=ALL,
        widget=SELECT,
    )
    producer_kind = django_filters.ChoiceFilter(
        label=_("Loại hình chủ thể"),
        choices=ProducerKind.choices,
        method="filter_nothing",
        empty_label=ALL,
        widget=SELECT,
    )
    registration_kind = django_filters.ChoiceFilter(
        label=_("Hình thức đăng ký"),
        choices=RegistrationKind.choices,
        method="filter_nothing",
        empty_label=ALL,
        widget=SELECT,
    )
    product_set = django_filters.ModelChoiceFilter(
        label=_("Bộ sản phẩm"),
        queryset=ProductSet.objects.none(),
        method="filter_nothing",
        empty_label=ALL,
        widget=SELECT,
    )

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None):
        super().__init__(data, queryset, request=request, prefix=prefix)
        user = request.user
        province_id = user_province_id(user)
        districts = District.objects.all()
        communes = Commune.objects.filter(is_current=False).select_related("district")
        if province_id:
            districts = districts.filter(province_id=province_id)
            communes = communes.filter(province_id=province_id)
        self.filters["district"].queryset = districts
        self.filters["commune"].queryset = communes.order_by("district__code", "name")
        self.filters["product_set"].queryset = ProductSet.objects.all()
        years = (
            visible_registrations(user)
            .order_by("-year")
            .values_list("year", flat=True)
            .distinct()
        )
        self.filters["year"].extra["choices"] = [("", ALL)] + [(y, y) for y in years]

    def filter_nothing(self, queryset, name, value):
        # Each list combines its conditions in filter_queryset.
        return queryset

    @property
    def values(self):
        return self.form.cleaned_data if self.is_bound else {}

    def registration_conditions(self, prefix=""):
        """The year, district and kind chosen, as a ``Q`` over ``Registration``."""
        values = self.values
        conditions = {}
        if values.get("year"):
            conditions[f"{prefix}year"] = values["year"]
        if values.get("district"):
            conditions[f"{prefix}district"] = values["district"]
        if values.get("registration_kind"):
            conditions[f"{prefix}kind"] = values["registration_kind"]
        return conditions

    def order(self, queryset):
        return self.filters["o"].filter(queryset, self.values.get("o"))


class VietnameseOrderingFilter(django_filters.OrderingFilter):
    """Sorts by the columns asked for; names in Vietnamese alphabetical order."""

    def __init__(self, *args, names=(), **kwargs):
        self.names = set(names)
        super().__init__(*args, **kwargs)

    def get_ordering_value(self, param):
        descending = param.startswith("-")
        field = self.param_map[param.lstrip("-")]
        if field not in self.names:
            return super().get_ordering_value(param)
        order = VietnameseOrder(field)
        return order.desc() if descending else order.asc()


class ProductFilter(RegistryFilterSet):
    o = VietnameseOrderingFilter(
        names=("name", "producer__name"),
        fields=(
            ("name", "name"),
            ("producer__name", "producer"),
            ("shown_year", "year"),
            ("shown_district_code", "district"),
            ("product_set__number", "product_set"),
        ),
        widget=forms.HiddenInput,
    )

    class Meta:
        model = Product
        fields = []

    def filter_queryset(self, queryset):
        values = self.values
        registrations = Registration.objects.filter(
            product=OuterRef("pk"), **self.registration_conditions()
        )
        if self.registration_conditions():
            queryset = queryset.filter(Exists(registrations))
        for word in search_words(values.get("q") or ""):
            queryset = queryset.filter(
                Q(search_text__contains=word) | Q(producer__search_text__contains=word)
            )
        if values.get("commune"):
            queryset = queryset.filter(producer__commune=values["commune"])
        if values.get("producer_kind"):
            queryset = queryset.filter(producer__kind=values["producer_kind"])
        if values.get("product_set"):
            queryset = queryset.filter(product_set=values["product_set"])

        # The registration shown on each row: the one the filters matched, the
        # latest first.
        shown = registrations.order_by("-year")
        queryset = queryset.annotate(
            shown_year=Subquery(shown.values("year")[:1]),
            shown_kind=Subquery(shown.values("kind")[:1]),
            shown_district_code=Subquery(shown.values("district__code")[:1]),
            shown_district=Subquery(shown.values("district__name")[:1]),
        )
        return self.order(queryset)


class ProducerFilter(RegistryFilterSet):
    o = VietnameseOrderingFilter(
        names=("name",),
        fields=(
            ("name", "name"),
            ("kind", "kind"),
            ("commune__district__code", "district"),
            ("product_count", "products"),
        ),
        widget=forms.HiddenInput,
    )

    class Meta:
        model = Producer
        fields = []

    def filter_queryset(self, queryset):
        values = self.values
        conditions = self.registration_conditions(prefix="registrations__")
        if conditions:
            products = Product.objects.filter(producer=OuterRef("pk"), **conditions)
            queryset = queryset.filter(Exists(products))
        for word in search_words(values.get("q") or ""):
            products = Product.objects.filter(
                producer=OuterRef("pk"), search_text__contains=word
            )
            queryset = queryset.filter(Q(search_text__contains=word) | Exists(products))
        if values.get("commune"):
            queryset = queryset.filter(commune=values["commune"])
        if values.get("producer_kind"):
            queryset = queryset.filter(kind=values["producer_kind"])
        if values.get("product_set"):
            products = Product.objects.filter(
                producer=OuterRef("pk"), product_set=values["product_set"]
            )
            queryset = queryset.filter(Exists(products))
        return self.order(queryset)


class RegistrationFilter(RegistryFilterSet):
    o = VietnameseOrderingFilter(
        names=("product__name", "product__producer__name"),
        fields=(
            ("year", "year"),
            ("product__name", "product"),
            ("product__producer__name", "producer"),
            ("district__code", "district"),
            ("kind", "kind"),
        ),
        widget=forms.HiddenInput,
    )

    class Meta:
        model = Registration
        fields = []

    def filter_queryset(self, queryset):
        values = self.values
        queryset = queryset.filter(**self.registration_conditions())
        for word in search_words(values.get("q") or ""):
            queryset = queryset.filter(
                Q(product__search_text__contains=word)
                | Q(product__producer__search_text__contains=word)
            )
        if values.get("commune"):
            queryset = queryset.filter(product__producer__commune=values["commune"])
        if values.get("producer_kind"):
            queryset = queryset.filter(product__producer__kind=values["producer_kind"])
        if values.get("product_set"):
            queryset = queryset.filter(product__product_set=values["product_set"])
        return self.order(queryset)
