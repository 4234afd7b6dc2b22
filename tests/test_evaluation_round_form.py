"""Opening a round: a closing day within its programme year's range, one name per
council, and a refused form that says at each field what is wrong, with what was
typed kept."""

import unicodedata
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from evaluation import services
from evaluation.models import Round
from evaluation.services.rounds import closing_range
from registry.enums import Role
from tests.evaluation_builders import Meeting, district_council
from tests.factories import TAM_DUONG, UserFactory, commune, district

pytestmark = pytest.mark.django_db

URL = reverse("evaluation:round-create")
RANGE_2023 = "Đợt của năm 2023 phải kết thúc trong khoảng từ 01/01/2023 đến 31/03/2024."
FIRST_ROUND = "Đợt 1 năm 2023 huyện Tam Đường"


def taken(name):
    return f"Hội đồng đã có đợt “{name}”: mỗi đợt của hội đồng cần một tên riêng."


NAME_TAKEN = taken(FIRST_ROUND)


@pytest.fixture
def meeting(lai_chau):
    """Tam Đường's council of 2023 with its round “Đợt 1 năm 2023 huyện Tam Đường”."""
    return Meeting()


def open_round(meeting, *, name="Đợt 2 năm 2023", closes_on=date(2023, 10, 30)):
    return services.open_round(
        meeting.round.tier,
        meeting.officer,
        council=meeting.council,
        year=2023,
        name=name,
        closes_on=closes_on,
        district=district(TAM_DUONG),
    )


def field_errors(error):
    return error.value.message_dict


def test_closing_range_runs_from_january_to_the_next_march():
    assert closing_range(2023) == (date(2023, 1, 1), date(2024, 3, 31))


@pytest.mark.parametrize(
    "closes_on", [date(2023, 1, 1), date(2023, 12, 31), date(2024, 3, 31)]
)
def test_round_closing_within_its_year_is_opened(meeting, closes_on):
    round = open_round(meeting, closes_on=closes_on)

    assert (round.closes_on, round.year) == (closes_on, 2023)


@pytest.mark.parametrize(
    "closes_on", [date(2022, 12, 31), date(2024, 4, 1), date(2025, 6, 30)]
)
def test_round_closing_outside_its_year_is_refused_at_the_field(meeting, closes_on):
    with pytest.raises(ValidationError) as error:
        open_round(meeting, closes_on=closes_on)

    assert field_errors(error) == {"closes_on": [RANGE_2023]}
    assert Round.objects.count() == 1


@pytest.mark.parametrize(
    "name",
    [
        FIRST_ROUND,
        "  đợt 1   năm 2023 HUYỆN tam đường ",
        # Typed with combining accents, as some keyboards send Vietnamese.
        unicodedata.normalize("NFD", FIRST_ROUND),
    ],
)
def test_second_round_of_a_name_for_the_council_is_refused_at_the_name(meeting, name):
    with pytest.raises(ValidationError) as error:
        open_round(meeting, name=name)

    assert field_errors(error) == {"name": [taken(name.strip())]}
    assert Round.objects.count() == 1


def test_round_of_a_name_taken_by_another_council_is_opened(meeting):
    other = district_council([])
    other.name = "Hội đồng OCOP huyện Tam Đường năm 2023 (bổ sung)"
    other.save(update_fields=["name"])

    round = services.open_round(
        meeting.round.tier,
        meeting.officer,
        council=other,
        year=2023,
        name=meeting.round.name,
        closes_on=date(2023, 10, 30),
        district=district(TAM_DUONG),
    )

    assert (round.council, round.name) == (other, "Đợt 1 năm 2023 huyện Tam Đường")


def test_round_with_a_name_taken_and_a_day_out_of_range_says_both(meeting):
    with pytest.raises(ValidationError) as error:
        open_round(meeting, name=meeting.round.name, closes_on=date(2025, 1, 1))

    assert field_errors(error) == {"name": [NAME_TAKEN], "closes_on": [RANGE_2023]}


def test_round_form_left_empty_says_at_each_field_what_is_missing(client, meeting):
    client.force_login(meeting.officer)

    response = client.post(URL, {"council": "", "name": "", "closes_on": ""})

    content = response.content.decode()
    form = response.context["form"]
    assert response.status_code == 400
    assert form.errors == {
        "council": ["Cần chọn hội đồng."],
        "name": ["Cần đặt tên đợt đánh giá."],
        "closes_on": ["Cần hạn kết thúc của đợt đánh giá."],
    }
    assert "Trường này là bắt buộc." not in content
    for label, message in [
        ("Hội đồng", "Cần chọn hội đồng."),
        ("Tên đợt", "Cần đặt tên đợt đánh giá."),
        ("Hạn kết thúc", "Cần hạn kết thúc của đợt đánh giá."),
    ]:
        # The message right under its field, its label before it.
        field = content.split(f">{label}</label>")[1].split("</div>")[0]
        assert f'<div class="invalid-feedback d-block">{message}' in field
    assert 'id="round-create" open' in content
    assert Round.objects.count() == 1


def test_round_refused_by_the_service_keeps_what_was_typed(client, meeting):
    client.force_login(meeting.officer)

    response = client.post(
        URL,
        {
            "council": meeting.council.pk,
            "name": "Đợt 1 năm 2023 huyện Tam Đường",
            "closes_on": "2025-06-30",
        },
    )

    content = response.content.decode()
    assert response.status_code == 400
    assert response.context["form"].errors == {
        "name": [NAME_TAKEN],
        "closes_on": [RANGE_2023],
    }
    assert 'value="Đợt 1 năm 2023 huyện Tam Đường"' in content
    assert 'value="2025-06-30"' in content
    assert f'<option value="{meeting.council.pk}" selected>' in content
    assert Round.objects.count() == 1


def test_round_within_the_rules_is_opened_from_the_form(client, meeting):
    client.force_login(meeting.officer)

    response = client.post(
        URL,
        {
            "council": meeting.council.pk,
            "name": "Đợt 2 năm 2023 huyện Tam Đường",
            "closes_on": "2023-10-30",
        },
    )

    round = Round.objects.get(name="Đợt 2 năm 2023 huyện Tam Đường")
    assert response.status_code == 302
    assert response.url == reverse("evaluation:round-detail", args=[round.pk])
    assert (round.council, round.closes_on) == (meeting.council, date(2023, 10, 30))


def test_round_form_preselects_the_only_council_of_a_district_officer(client, meeting):
    client.force_login(meeting.officer)

    response = client.get(reverse("evaluation:round-list"))

    assert response.context["form"]["council"].value() == meeting.council.pk
    assert f'<option value="{meeting.council.pk}" selected>' in (
        response.content.decode()
    )


def test_round_form_preselects_no_council_when_there_are_several(client, meeting):
    staff = UserFactory(username="canbo.tinh", role=Role.PROVINCE_STAFF)
    services.create_council(
        staff,
        tier=meeting.programme.rulebook.tiers.get(order=3),
        province=meeting.round.province,
        district=None,
        year=2023,
        name="Hội đồng OCOP tỉnh Lai Châu năm 2023",
    )
    client.force_login(staff)

    response = client.get(reverse("evaluation:round-list"))

    assert response.context["form"]["council"].value() is None
    select = response.content.decode().split('id="id_council"')[1].split("</select>")[0]
    assert '<option value="" selected>— Chọn hội đồng —</option>' in select
    assert select.count(" selected>") == 1


def commune_officer():
    return UserFactory(
        username="canbo.binhlu",
        role=Role.COMMUNE_OFFICER,
        district=district(TAM_DUONG),
        commune=commune("Xã Bình Lư", TAM_DUONG),
    )


@pytest.mark.parametrize("who", ["commune officer", "chair"])
def test_round_opened_by_a_role_without_councils_is_forbidden(client, meeting, who):
    user = commune_officer() if who == "commune officer" else meeting.chair
    client.force_login(user)

    response = client.post(
        URL,
        {
            "council": meeting.council.pk,
            "name": "Đợt 2 năm 2023",
            "closes_on": "2023-10-30",
        },
    )

    assert response.status_code == 403
    assert Round.objects.count() == 1


def test_commune_officer_sees_no_council_of_their_district(client, meeting):
    client.force_login(commune_officer())

    response = client.get(reverse("evaluation:council-list"))

    assert list(response.context["councils"]) == []
