import pytest

from registry.models import Commune, CommuneSuccession, District
from registry.places import load_province, proper_name

pytestmark = pytest.mark.django_db


def test_lai_chau_has_its_city_and_seven_districts_with_official_codes(lai_chau):
    districts = District.objects.filter(province=lai_chau).order_by("code")

    assert [(d.code, d.name) for d in districts] == [
        ("105", "Thành phố Lai Châu"),
        ("106", "Huyện Tam Đường"),
        ("107", "Huyện Mường Tè"),
        ("108", "Huyện Sìn Hồ"),
        ("109", "Huyện Phong Thổ"),
        ("110", "Huyện Than Uyên"),
        ("111", "Huyện Tân Uyên"),
        ("112", "Huyện Nậm Nhùn"),
    ]


def test_lai_chau_has_106_old_communes_and_38_new_ones(lai_chau):
    old = Commune.objects.filter(province=lai_chau, is_current=False)
    new = Commune.objects.filter(province=lai_chau, is_current=True)

    assert old.count() == 106
    assert new.count() == 38
    assert not new.filter(district__isnull=False).exists()


def test_every_old_commune_maps_to_a_default_new_one(lai_chau):
    old_ids = set(
        Commune.objects.filter(province=lai_chau, is_current=False).values_list(
            "id", flat=True
        )
    )
    mapped = set(
        CommuneSuccession.objects.filter(is_default=True).values_list(
            "old_id", flat=True
        )
    )

    assert old_ids == mapped


def test_old_ward_quyet_tien_went_into_new_ward_doan_ket(lai_chau):
    quyet_tien = Commune.objects.get(
        name="Phường Quyết Tiến", is_current=False, province=lai_chau
    )

    assert [c.name for c in quyet_tien.successors.all()] == ["Phường Đoàn Kết"]


def test_loading_a_province_twice_changes_nothing(lai_chau):
    before = Commune.objects.count(), CommuneSuccession.objects.count()

    _, result = load_province("12")

    assert (Commune.objects.count(), CommuneSuccession.objects.count()) == before
    assert result.communes_old == result.communes_new == result.successions == 0


def test_loading_an_unknown_province_is_refused():
    with pytest.raises(ValueError, match="Không có tỉnh mã 99"):
        load_province("99")


def test_unit_names_are_capitalised_as_place_names_are(lai_chau):
    names = set(
        Commune.objects.filter(province=lai_chau).values_list("name", flat=True)
    )

    assert "Xã Pa Ủ" in names
    assert "Xã Pa ủ" not in names
    assert proper_name("Thị trấn Nông trường Việt Lâm", "Thị trấn") == (
        "Thị trấn Nông trường Việt Lâm"
    )
    assert proper_name("Xã Đại áng", "Xã") == "Xã Đại Áng"


def test_a_second_province_loads_beside_lai_chau(lai_chau):
    dien_bien, result = load_province("11")

    assert dien_bien.name == "Tỉnh Điện Biên"
    assert (result.districts, result.communes_new) == (
        District.objects.filter(province=dien_bien).count(),
        Commune.objects.filter(province=dien_bien, is_current=True).count(),
    )
    assert result.districts == 10
    assert District.objects.filter(province=lai_chau).count() == 8
    assert not Commune.objects.filter(province=dien_bien, district__province=lai_chau)
