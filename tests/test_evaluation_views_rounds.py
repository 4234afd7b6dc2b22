"""Rounds, councils, pre-checks, conflicts and the Ministry's result, by page."""

from datetime import date

import pytest
from django.urls import reverse

from evaluation import services
from evaluation.enums import CouncilRole, DossierState, RoundState
from evaluation.models import (
    ConflictOfInterest,
    Council,
    Dossier,
    ProgrammeYear,
    Round,
)
from registry.enums import Role
from tests.evaluation_builders import (
    Meeting,
    district_council,
    programme_2023,
    waiting_dossier,
)
from tests.factories import LAI_CHAU_CITY, TAM_DUONG, UserFactory, district
from tests.test_evaluation_views import second_options

pytestmark = pytest.mark.django_db


@pytest.fixture
def meeting(lai_chau):
    return Meeting()


@pytest.fixture
def staff(lai_chau):
    return UserFactory(username="canbo.tinh", role=Role.PROVINCE_STAFF)


def test_district_officer_opens_a_round_and_adds_waiting_dossiers(client, lai_chau):
    programme_2023()
    officer = UserFactory(
        username="canbo.tamduong",
        role=Role.DISTRICT_OFFICER,
        district=district(TAM_DUONG),
    )
    dossier = waiting_dossier(officer)
    chair = UserFactory(username="chutich", role=Role.COUNCIL_MEMBER)
    council = district_council([(chair, CouncilRole.CHAIR)])
    client.force_login(officer)

    client.post(
        reverse("evaluation:round-create"),
        {"council": council.pk, "name": "Đợt 2 năm 2023", "closes_on": "2023-10-30"},
    )
    round = Round.objects.get()
    page = client.get(reverse("evaluation:round-detail", args=[round.pk]))
    client.post(
        reverse("evaluation:round-add", args=[round.pk]), {"dossier": [dossier.pk]}
    )

    dossier.refresh_from_db()
    assert (round.name, round.district, round.closes_on) == (
        "Đợt 2 năm 2023",
        district(TAM_DUONG),
        date(2023, 10, 30),
    )
    assert list(page.context["waiting"]) == [dossier]
    assert dossier.state == DossierState.IN_EVALUATION
    assert dossier.evaluations.get().round == round


def test_round_list_is_scoped_and_counts_its_queries(
    client, meeting, django_assert_max_num_queries
):
    other = UserFactory(
        username="canbo.thanhpho",
        role=Role.DISTRICT_OFFICER,
        district=district(LAI_CHAU_CITY),
    )
    client.force_login(meeting.officer)
    # Session, user, count, filter choices, rounds, the user's permissions (two) and
    # the councils of the new-round form (two): none per round.
    with django_assert_max_num_queries(9):
        own = client.get(reverse("evaluation:round-list"))
    client.force_login(other)

    others = client.get(reverse("evaluation:round-list"))

    assert [r.product_count for r in own.context["rounds"]] == [1]
    assert list(others.context["rounds"]) == []


def province_round(meeting, staff):
    province_tier = meeting.programme.rulebook.tiers.get(order=3)
    council = services.create_council(
        staff,
        tier=province_tier,
        province=meeting.round.province,
        district=None,
        year=2023,
        name="Hội đồng OCOP tỉnh Lai Châu năm 2023",
    )
    return services.open_round(
        province_tier,
        staff,
        council=council,
        year=2023,
        name="Đợt tháng 7 năm 2023 cấp tỉnh",
        closes_on=date(2023, 7, 31),
    )


def test_round_list_filters_by_tier_level_and_area(
    client, meeting, staff, django_assert_max_num_queries
):
    province = province_round(meeting, staff)
    client.force_login(staff)
    url = reverse("evaluation:round-list")

    with django_assert_max_num_queries(8):
        everything = client.get(url)
    by_level = client.get(url, {"level": "province"})
    by_district = client.get(url, {"area": str(district(TAM_DUONG).pk)})
    whole_province = client.get(url, {"area": "province"})
    nothing = client.get(url, {"level": "district", "area": "province"})

    assert everything.context["levels"] == [
        ("district", "Cấp huyện"),
        ("province", "Cấp tỉnh"),
    ]
    assert everything.context["areas"] == [
        ("province", "Toàn tỉnh"),
        (str(district(TAM_DUONG).pk), "Huyện Tam Đường"),
    ]
    assert list(everything.context["rounds"]) == [meeting.round, province]
    assert list(by_level.context["rounds"]) == [province]
    assert list(by_district.context["rounds"]) == [meeting.round]
    assert list(whole_province.context["rounds"]) == [province]
    assert list(nothing.context["rounds"]) == []
    assert '<option value="province" selected>Cấp tỉnh</option>' in (
        by_level.content.decode()
    )


def test_round_list_filters_offer_only_the_districts_own_area(client, meeting, staff):
    province_round(meeting, staff)
    client.force_login(meeting.officer)

    response = client.get(reverse("evaluation:round-list"))

    assert response.context["levels"] == [("district", "Cấp huyện")]
    assert response.context["areas"] == [
        (str(district(TAM_DUONG).pk), "Huyện Tam Đường")
    ]
    assert list(response.context["rounds"]) == [meeting.round]


def test_member_declares_a_conflict_and_loses_the_scoring_link(client, meeting):
    member = meeting.scorers()[2]
    client.force_login(member)

    client.post(
        reverse("evaluation:conflict-declare", args=[meeting.evaluation.pk]),
        {"reason": "Anh ruột là chủ nhiệm hợp tác xã."},
    )
    page = client.get(reverse("evaluation:round-detail", args=[meeting.round.pk]))

    conflict = ConflictOfInterest.objects.get()
    assert (conflict.member, conflict.reason) == (
        member,
        "Anh ruột là chủ nhiệm hợp tác xã.",
    )
    content = page.content.decode()
    assert "đã khai xung đột" in content
    assert 'class="btn btn-sm btn-success mb-1 score-link"' not in content


def test_advisor_records_the_precheck_before_scoring(client, lai_chau):
    meeting = Meeting()
    evaluation = meeting.evaluation
    evaluation.precheck_at = None
    evaluation.save(update_fields=["precheck_at"])
    advisor = meeting.council.memberships.get(role=CouncilRole.ADVISOR).user
    member = meeting.scorers()[1]
    client.force_login(member)
    refused = client.get(reverse("evaluation:evaluation-score", args=[evaluation.pk]))
    client.post(
        reverse("evaluation:evaluation-precheck", args=[evaluation.pk]),
        {"report": "Thành viên không được ghi."},
    )
    client.force_login(advisor)

    client.post(
        reverse("evaluation:evaluation-precheck", args=[evaluation.pk]),
        {"report": "Đã khảo sát bản, hồ sơ đủ."},
    )

    evaluation.refresh_from_db()
    assert "Tổ tư vấn chưa báo cáo kết quả kiểm tra hồ sơ." in (
        refused.content.decode()
    )
    assert evaluation.precheck_report == "Đã khảo sát bản, hồ sơ đủ."
    assert evaluation.precheck_by == advisor


def test_closing_a_round_with_missing_sheets_is_refused_with_the_reason(
    client, meeting
):
    client.force_login(meeting.chair)

    response = client.post(
        reverse("evaluation:round-close", args=[meeting.round.pk]), follow=True
    )

    meeting.round.refresh_from_db()
    assert meeting.round.state == RoundState.OPEN
    assert "chưa có phiếu chấm." in response.content.decode()


def test_province_staff_sets_up_a_council_and_appoints_its_chair(client, staff):
    programme_2023()
    tier = ProgrammeYear.objects.get(year=2023).rulebook.tiers.get(order=3)
    chair = UserFactory(username="chutich.tinh", role=Role.COUNCIL_MEMBER)
    client.force_login(staff)

    client.post(
        reverse("evaluation:council-create"),
        {"tier": tier.pk, "year": 2023, "name": "Hội đồng OCOP tỉnh Lai Châu 2023"},
    )
    council = Council.objects.get()
    client.post(
        reverse("evaluation:council-add-member", args=[council.pk]),
        {"user": chair.pk, "role": CouncilRole.CHAIR},
    )
    second = client.post(
        reverse("evaluation:council-add-member", args=[council.pk]),
        {"user": staff.pk, "role": CouncilRole.CHAIR},
        follow=True,
    )

    assert (council.tier, council.district) == (tier, None)
    assert [(m.user, m.role) for m in council.memberships.all()] == [
        (chair, CouncilRole.CHAIR)
    ]
    assert "Hội đồng đã có Chủ tịch." in second.content.decode()


def test_district_officer_cannot_set_up_a_province_council(client, meeting):
    province_tier = meeting.programme.rulebook.tiers.get(order=3)
    client.force_login(meeting.officer)

    response = client.post(
        reverse("evaluation:council-create"),
        {"tier": province_tier.pk, "year": 2023, "name": "Hội đồng OCOP tỉnh 2023"},
    )

    assert response.status_code == 400
    assert response.context["form"].errors == {
        "tier": ["Cấp này không có trong danh sách hội đồng bạn được thành lập."]
    }
    assert list(Council.objects.all()) == [meeting.council]


def test_province_staff_records_the_ministry_result(client, meeting, staff):
    ministry = meeting.programme.rulebook.tiers.get(order=4)
    # Arranged as if the province had referred the dossier to the Ministry.
    Dossier.objects.filter(pk=meeting.dossier.pk).update(
        state=DossierState.WAITING, current_tier=ministry
    )
    client.force_login(staff)
    url = reverse("evaluation:dossier-ministry-result", args=[meeting.dossier.pk])

    refused = client.post(url, {"stars": 5, "decision_number": ""})
    client.post(
        url,
        {
            "stars": 5,
            "score": "92.50",
            "decision_number": "1234/QĐ-BNN",
            "decision_date": "2023-12-20",
        },
    )

    meeting.dossier.refresh_from_db()
    certificate = meeting.dossier.registration.certificates.get()
    assert refused.status_code == 400
    assert list(refused.context["ministry_form"].errors) == [
        "decision_number",
        "decision_date",
    ]
    assert meeting.dossier.state == DossierState.CERTIFIED
    assert (certificate.stars, certificate.decision_number) == (5, "1234/QĐ-BNN")
    assert certificate.expires_on == date(2026, 12, 20)


def test_district_officer_cannot_record_the_ministry_result(client, meeting):
    client.force_login(meeting.officer)

    response = client.post(
        reverse("evaluation:dossier-ministry-result", args=[meeting.dossier.pk]),
        {"stars": 5},
    )

    assert response.status_code == 403


def test_round_page_shows_a_spread_over_the_limit_as_a_blocker(client, meeting):
    chair, vice, member = meeting.scorers()
    services.submit_member_score(
        meeting.evaluation, chair, second_options(meeting.evaluation)
    )
    services.submit_member_score(
        meeting.evaluation, vice, second_options(meeting.evaluation, ("C",))
    )
    client.force_login(meeting.officer)

    client.post(reverse("evaluation:round-compute", args=[meeting.round.pk]))
    page = client.get(reverse("evaluation:round-detail", args=[meeting.round.pk]))

    content = page.content.decode()
    assert (
        "Điểm của các thành viên chênh nhau 14 điểm, vượt mức cho phép 10: "
        "hội đồng cần thảo luận và chấm lại."
    ) in content
    assert (
        "Mới có 2 trong 3 thành viên được chấm sản phẩm này nộp phiếu; quy chế cần "
        "ít nhất 3/4 số thành viên đó (3 người) nộp phiếu, kể cả Chủ tịch."
    ) in content
    assert "64,00" in content


def test_round_of_another_council_is_not_found_for_a_member(client, meeting):
    outsider = UserFactory(username="hoidong.khac", role=Role.COUNCIL_MEMBER)
    client.force_login(outsider)

    detail = client.get(reverse("evaluation:round-detail", args=[meeting.round.pk]))
    listing = client.get(reverse("evaluation:round-list"))

    assert detail.status_code == 404
    assert list(listing.context["rounds"]) == []
