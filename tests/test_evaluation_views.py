"""The evaluation pages for each role, the forbidden ones included."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from evaluation import services
from evaluation.enums import DossierState, RoundState
from evaluation.models import MemberScore
from evaluation.sheets import sheet_spec
from registry.enums import Role
from tests.evaluation_builders import Meeting, waiting_dossier
from tests.factories import (
    LAI_CHAU_CITY,
    TAM_DUONG,
    UserFactory,
    commune,
    district,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def meeting(lai_chau):
    return Meeting()


def second_options(evaluation, low_parts=()):
    """One option per criterion, first case only: the second option, or the first
    in ``low_parts`` (the second everywhere gives 71 points on set 26; the first in
    part C, 57)."""
    spec = sheet_spec(evaluation.sheet)
    skipped = set()
    for group in spec.walk():
        if group.choose_one:
            for case in group.children[1:]:
                skipped.update(id(leaf) for leaf in _leaves(case))
    return [
        leaf.options[0 if leaf.part in low_parts else 1].id
        for leaf in spec.leaves()
        if id(leaf) not in skipped
    ]


def _leaves(criterion):
    if criterion.is_leaf:
        return [criterion]
    return [leaf for child in criterion.children for leaf in _leaves(child)]


def as_post(selections, spec, **extra):
    data = {f"c{spec.owner(i).id}": str(i) for i in selections}
    data.update(extra)
    return data


# -- the scoring page ----------------------------------------------------------------


def test_scoring_page_shows_the_sheet_to_a_member(client, meeting):
    member = meeting.scorers()[1]
    client.force_login(member)

    response = client.get(
        reverse("evaluation:evaluation-score", args=[meeting.evaluation.pk])
    )

    assert response.status_code == 200
    content = response.content.decode()
    assert 'id="scoring-form"' in content
    assert content.count('class="form-check-input option"') == sum(
        len(leaf.options) for leaf in sheet_spec(meeting.evaluation.sheet).leaves()
    )
    assert "chấm một trong các trường hợp" in content


def test_scoring_page_saves_a_draft_in_few_queries(
    client, meeting, django_assert_max_num_queries
):
    member = meeting.scorers()[1]
    client.force_login(member)
    spec = sheet_spec(meeting.evaluation.sheet)
    selections = second_options(meeting.evaluation)
    url = reverse("evaluation:evaluation-score", args=[meeting.evaluation.pk])

    with django_assert_max_num_queries(18):
        response = client.post(url, as_post(selections, spec, action="save"))

    assert response.status_code == 302
    score = MemberScore.objects.get(evaluation=meeting.evaluation, member=member)
    assert sorted(score.selections) == sorted(selections)
    assert score.total == sum(spec.option(i).points for i in selections)
    assert score.is_locked is False


def test_scoring_page_submit_locks_the_sheet(client, meeting):
    member = meeting.scorers()[1]
    client.force_login(member)
    spec = sheet_spec(meeting.evaluation.sheet)
    url = reverse("evaluation:evaluation-score", args=[meeting.evaluation.pk])
    selections = second_options(meeting.evaluation)

    client.post(url, as_post(selections, spec, action="submit"))
    again = client.post(url, as_post(selections[:-1], spec, action="save"))

    score = MemberScore.objects.get(evaluation=meeting.evaluation, member=member)
    assert score.is_locked is True
    assert len(score.selections) == len(selections)
    content = again.content.decode()
    assert (
        "và đã khóa (có thể nộp từ một thẻ hoặc máy khác): những lựa chọn vừa gửi "
        "không được lưu." in content
    )
    page = client.get(url).content.decode()
    assert 'id="scoring-locked"' in page
    assert "Nộp phiếu</button>" not in page


def test_scoring_page_refuses_an_incomplete_submission(client, meeting):
    member = meeting.scorers()[1]
    client.force_login(member)
    spec = sheet_spec(meeting.evaluation.sheet)
    selections = second_options(meeting.evaluation)[1:]

    response = client.post(
        reverse("evaluation:evaluation-score", args=[meeting.evaluation.pk]),
        as_post(selections, spec, action="submit"),
    )

    assert response.status_code == 200
    assert "Tiêu chí 1.1 chưa được chấm." in response.content.decode()
    assert not MemberScore.objects.filter(evaluation=meeting.evaluation).exists()


def test_scoring_page_hides_other_scores_until_the_member_submits(client, meeting):
    chair, vice, member = meeting.scorers()
    spec = sheet_spec(meeting.evaluation.sheet)
    selections = second_options(meeting.evaluation)
    services.submit_member_score(meeting.evaluation, chair, selections)
    client.force_login(member)
    url = reverse("evaluation:evaluation-score", args=[meeting.evaluation.pk])
    round_url = reverse("evaluation:round-detail", args=[meeting.round.pk])

    services.compute_result(meeting.evaluation, chair)
    before = client.get(url).content.decode()
    round_before = client.get(round_url).content.decode()
    client.post(url, as_post(selections, spec, action="submit"))
    after = client.get(url).content.decode()

    assert 'id="other-scores"' not in before
    assert (
        str(chair)
        not in round_before.split('id="round-results"')[1].split("</table>")[0]
    )
    assert "Kết quả hiện sau khi bạn nộp phiếu." in round_before
    assert 'id="other-scores"' in after
    assert str(chair) in after


def test_scoring_page_is_refused_to_a_commune_officer(client, meeting):
    officer = UserFactory(
        username="xa.binhlu2",
        role=Role.COMMUNE_OFFICER,
        district=district(TAM_DUONG),
        commune=commune("Xã Bình Lư", TAM_DUONG),
    )
    client.force_login(officer)

    response = client.get(
        reverse("evaluation:evaluation-score", args=[meeting.evaluation.pk])
    )

    assert response.status_code == 403


def test_scoring_page_is_refused_to_a_member_with_a_conflict(client, meeting):
    member = meeting.scorers()[2]
    services.declare_conflict(
        meeting.council, member, meeting.dossier, "Con gái làm ở tổ hợp tác."
    )
    client.force_login(member)

    response = client.get(
        reverse("evaluation:evaluation-score", args=[meeting.evaluation.pk])
    )

    assert response.status_code == 403


def test_scoring_page_of_another_district_is_not_found(client, meeting):
    officer = UserFactory(
        username="huyen.thanhpho2",
        role=Role.DISTRICT_OFFICER,
        district=district(LAI_CHAU_CITY),
    )
    client.force_login(officer)

    score = client.get(
        reverse("evaluation:evaluation-score", args=[meeting.evaluation.pk])
    )
    dossier = client.get(
        reverse("evaluation:dossier-detail", args=[meeting.dossier.pk])
    )
    round = client.get(reverse("evaluation:round-detail", args=[meeting.round.pk]))

    assert (score.status_code, dossier.status_code, round.status_code) == (
        404,
        404,
        404,
    )


def test_scoring_page_says_why_an_invalid_sheet_cannot_be_scored(client, meeting):
    sheet = meeting.evaluation.sheet
    sheet.is_valid = False
    sheet.save(update_fields=["is_valid"])
    client.force_login(meeting.scorers()[1])

    response = client.get(
        reverse("evaluation:evaluation-score", args=[meeting.evaluation.pk])
    )

    content = response.content.decode()
    assert response.status_code == 200
    assert "Phiếu chấm chưa đạt kiểm tra; cần ghi hiệu chỉnh trước." in content
    assert "Nộp phiếu</button>" not in content


# -- the round and its results -------------------------------------------------------


def score_all(meeting, low_parts=()):
    selections = second_options(meeting.evaluation, low_parts)
    for member in meeting.scorers():
        services.submit_member_score(meeting.evaluation, member, selections)
    return selections


def test_round_page_query_count_does_not_grow_with_its_products(client, meeting):
    score_all(meeting)
    services.compute_result(meeting.evaluation, meeting.chair)
    client.force_login(meeting.officer)
    url = reverse("evaluation:round-detail", args=[meeting.round.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as one_product:
        client.get(url)
    second = waiting_dossier(meeting.officer, name="Du lịch cộng đồng bản Lao Chải")
    services.add_to_round(meeting.round, second, meeting.officer)

    with CaptureQueriesContext(connection) as two_products:
        response = client.get(url)

    # 14: the chair's corrections of the members' sheets come in one query.
    assert len(one_product.captured_queries) == 14
    assert len(two_products.captured_queries) == 14
    assert len(response.context["evaluations"]) == 2


def test_chair_closes_the_round_and_the_officer_certifies(client, meeting):
    selections = score_all(meeting, low_parts=("C",))
    spec = sheet_spec(meeting.evaluation.sheet)
    total = sum(spec.option(i).points for i in selections)
    client.force_login(meeting.chair)

    client.post(reverse("evaluation:round-close", args=[meeting.round.pk]))
    client.force_login(meeting.officer)
    client.post(
        reverse("evaluation:round-certify", args=[meeting.round.pk]),
        {"decision_number": "123/QĐ-UBND", "decision_date": "2023-07-05"},
    )

    meeting.round.refresh_from_db()
    meeting.evaluation.refresh_from_db()
    assert meeting.round.state == RoundState.CLOSED
    assert total == 57
    assert meeting.evaluation.score == 57
    assert meeting.evaluation.stars == 3
    page = client.get(reverse("evaluation:certificate-list")).content.decode()
    certificate = meeting.evaluation.certificates.get()
    assert certificate.number in page
    assert certificate.stars == 3
    assert certificate.issuing_authority == "Ủy ban nhân dân huyện Tam Đường"
    assert "123/QĐ-UBND" in page


def test_refer_moves_a_product_of_71_points_to_the_province(client, meeting):
    score_all(meeting)
    client.force_login(meeting.chair)
    client.post(reverse("evaluation:round-close", args=[meeting.round.pk]))
    client.force_login(meeting.officer)

    response = client.post(reverse("evaluation:round-refer", args=[meeting.round.pk]))

    meeting.dossier.refresh_from_db()
    meeting.evaluation.refresh_from_db()
    assert response.status_code == 302
    assert meeting.evaluation.score == 71
    assert meeting.evaluation.stars == 4
    assert meeting.dossier.state == DossierState.WAITING
    assert meeting.dossier.current_tier.order == 3


def test_member_cannot_close_the_round(client, meeting):
    score_all(meeting)
    client.force_login(meeting.scorers()[1])

    response = client.post(reverse("evaluation:round-close", args=[meeting.round.pk]))

    meeting.round.refresh_from_db()
    assert response.status_code == 403
    assert meeting.round.state == RoundState.OPEN


# -- dossiers --------------------------------------------------------------------------


def test_dossier_list_is_scoped_to_the_district(client, meeting):
    other = UserFactory(
        username="huyen.thanhpho3",
        role=Role.DISTRICT_OFFICER,
        district=district(LAI_CHAU_CITY),
    )
    client.force_login(other)

    response = client.get(reverse("evaluation:dossier-list"))

    assert response.status_code == 200
    assert list(response.context["dossiers"]) == []


def test_dossier_return_keeps_the_reason(client, meeting):
    meeting.dossier.refresh_from_db()
    assert meeting.dossier.state == DossierState.IN_EVALUATION


def test_scoring_page_saves_a_draft_with_htmx_without_leaving_the_page(client, meeting):
    member = meeting.scorers()[1]
    client.force_login(member)
    spec = sheet_spec(meeting.evaluation.sheet)
    selections = second_options(meeting.evaluation)[:5]

    response = client.post(
        reverse("evaluation:evaluation-score", args=[meeting.evaluation.pk]),
        as_post(selections, spec, action="save"),
        headers={"HX-Request": "true"},
    )

    score = MemberScore.objects.get(evaluation=meeting.evaluation, member=member)
    assert response.status_code == 200
    assert f"{score.total} điểm." in response.content.decode()
    assert score.total == sum(spec.option(i).points for i in selections)
    assert "<html" not in response.content.decode()
