"""A council's provisional result (average, stars, outcome) stays hidden on the
dossier page and the product's history as it does on the round page: a member sees
it once their own sheet is in, an officer who may not open the round once the round
is closed; after that it is shown to whoever sees the dossier."""

import pytest
from django.urls import reverse

from evaluation import services
from evaluation.enums import CouncilRole, Outcome
from evaluation.models import ConflictOfInterest
from tests.evaluation_builders import Meeting, binh_lu_officer
from tests.test_evaluation_views import second_options

pytestmark = pytest.mark.django_db

# Set 26's second option everywhere: 71 points, as every member scores here.
SCORE = "71,00"
MEMBER_HIDDEN = "Kết quả hiện sau khi bạn nộp phiếu."
OTHERS_HIDDEN = "Kết quả được công bố khi đợt đánh giá đóng."
BLOCKED = "Chưa có kết quả: hội đồng cần giải quyết trước"
# The audit entry of the computation, followed by its outcome when shown.
COMPUTED = "Tính kết quả của hội đồng</span> ("


@pytest.fixture
def meeting(lai_chau):
    """Two of the three scoring members have submitted; the result is computed."""
    meeting = Meeting()
    _chair, vice, member = meeting.scorers()
    selections = second_options(meeting.evaluation)
    for user in (vice, member):
        services.submit_member_score(meeting.evaluation, user, selections)
    services.compute_result(meeting.evaluation, meeting.chair)
    meeting.evaluation.refresh_from_db()
    return meeting


def pages(client, user, meeting):
    """The dossier's page and its product's page as ``user`` gets them."""
    client.force_login(user)
    dossier = client.get(
        reverse("evaluation:dossier-detail", args=[meeting.dossier.pk])
    )
    product = client.get(meeting.dossier.registration.product.get_absolute_url())
    return dossier, product


def evaluations_part(response):
    """The dossier page's table of results."""
    html = response.content.decode()
    return html.split('id="dossier-evaluations"')[1].split("</table>")[0]


def history_part(response):
    """The product page's evaluation history, results and audit log."""
    return response.content.decode().split('id="evaluation-history"')[1]


def test_provisional_result_is_hidden_from_a_member_who_has_not_submitted(
    client, meeting
):
    dossier, product = pages(client, meeting.chair, meeting)

    assert (dossier.status_code, product.status_code) == (200, 200)
    assert [e.is_result_shown for e in dossier.context["evaluations"]] == [False]
    for part in (evaluations_part(dossier), history_part(product)):
        assert SCORE not in part
        assert "4★" not in part
        assert str(Outcome.REFERRED.label) not in part
        assert MEMBER_HIDDEN in part
    # The audit entry of the computation keeps its outcome to itself.
    assert COMPUTED not in history_part(product)


def test_provisional_result_is_shown_to_a_member_who_has_submitted(client, meeting):
    _chair, vice, _member = meeting.scorers()

    dossier, product = pages(client, vice, meeting)

    assert meeting.evaluation.score is not None
    assert [e.is_result_shown for e in dossier.context["evaluations"]] == [True]
    for part in (evaluations_part(dossier), history_part(product)):
        assert SCORE in part
        # The chair has not scored: the result is blocked, not yet 4 stars.
        assert "4★" not in part
        assert BLOCKED in part
        assert (
            "Mới có 2 trong 3 thành viên được chấm sản phẩm này nộp phiếu, chưa có "
            "phiếu của Chủ tịch hội đồng; quy chế cần ít nhất 3/4 số thành viên đó (3 "
            "người) nộp phiếu, kể cả Chủ tịch."
        ) in part
        assert MEMBER_HIDDEN not in part
    # Computed while blocked: the log does not read as the result either.
    assert f"{COMPUTED}bị chặn)" in history_part(product)
    assert f"{COMPUTED}— → Chuyển cấp trên)" not in history_part(product)


def test_provisional_result_is_shown_to_the_officer_who_manages_the_round(
    client, meeting
):
    dossier, product = pages(client, meeting.officer, meeting)

    assert [e.is_result_shown for e in dossier.context["evaluations"]] == [True]
    assert SCORE in evaluations_part(dossier)
    assert SCORE in history_part(product)


def test_provisional_result_is_hidden_from_an_officer_who_cannot_open_the_round(
    client, meeting
):
    dossier, product = pages(client, binh_lu_officer(), meeting)

    assert (dossier.status_code, product.status_code) == (200, 200)
    assert [e.is_result_shown for e in dossier.context["evaluations"]] == [False]
    for part in (evaluations_part(dossier), history_part(product)):
        assert SCORE not in part
        assert OTHERS_HIDDEN in part


def test_closed_round_result_is_shown_to_whoever_sees_the_dossier(client, meeting):
    services.submit_member_score(
        meeting.evaluation, meeting.chair, second_options(meeting.evaluation)
    )
    services.close_round(meeting.round, meeting.chair)
    commune_officer = binh_lu_officer()

    seen = {}
    for user in (commune_officer, meeting.officer):
        dossier, product = pages(client, user, meeting)
        seen[user.username] = (
            SCORE in evaluations_part(dossier),
            SCORE in history_part(product),
            OTHERS_HIDDEN in history_part(product),
        )
    member_dossier, member_product = pages(client, meeting.chair, meeting)

    assert seen == {
        commune_officer.username: (True, True, False),
        meeting.officer.username: (True, True, False),
    }
    # The round is closed: its members no longer read the dossier nor the product.
    assert (member_dossier.status_code, member_product.status_code) == (404, 404)


# -- a member who declared a conflict --------------------------------------------------

RECUSED_HIDDEN = (
    "Bạn đã khai xung đột lợi ích với sản phẩm này nên không chấm: kết quả được công "
    "bố khi đợt đánh giá đóng."
)


def round_row(client, user, meeting):
    """The round page's row of the meeting's product, as ``user`` gets it."""
    client.force_login(user)
    html = client.get(
        reverse("evaluation:round-detail", args=[meeting.round.pk])
    ).content.decode()
    return html.split(f'id="evaluation-{meeting.evaluation.pk}"')[1].split("</tr>")[0]


@pytest.fixture
def recused(lai_chau):
    """The member declared a conflict; the chair and the vice-chair have submitted,
    and the result (71 points, not blocked) is computed."""
    meeting = Meeting()
    chair, vice, member = meeting.scorers()
    services.declare_conflict(meeting.council, member, meeting.dossier, "Họ hàng.")
    for user in (chair, vice):
        services.submit_member_score(
            meeting.evaluation, user, second_options(meeting.evaluation)
        )
    services.compute_result(meeting.evaluation, chair)
    meeting.evaluation.refresh_from_db()
    return meeting


def test_member_with_a_conflict_is_told_the_result_comes_when_the_round_closes(
    client, recused
):
    meeting = recused
    member = meeting.scorers()[2]

    row = round_row(client, member, meeting)
    dossier, product = pages(client, member, meeting)

    assert meeting.evaluation.blocked_reasons == []
    assert [e.is_result_shown for e in dossier.context["evaluations"]] == [False]
    for part in (row, evaluations_part(dossier), history_part(product)):
        assert SCORE not in part
        assert RECUSED_HIDDEN in part
        assert MEMBER_HIDDEN not in part


def test_member_with_a_conflict_recorded_after_their_sheet_still_waits_for_closing(
    client, recused
):
    meeting = recused
    chair, vice, _member = meeting.scorers()
    # Recorded on the admin site after the sheet was in (the service refuses it):
    # the sheet is not counted, and its author is recused all the same.
    ConflictOfInterest.objects.create(
        council=meeting.council, member=vice, dossier=meeting.dossier, reason="Vợ."
    )

    row = round_row(client, vice, meeting)
    dossier, product = pages(client, vice, meeting)
    chair_row = round_row(client, chair, meeting)

    assert [e.is_result_shown for e in dossier.context["evaluations"]] == [False]
    for part in (row, evaluations_part(dossier), history_part(product)):
        assert SCORE not in part
        assert RECUSED_HIDDEN in part
    assert row.count('class="member-score"') == 0
    assert SCORE in chair_row
    assert chair_row.count('class="member-score"') == 1


def test_member_with_a_conflict_sees_the_result_once_the_round_is_closed(
    client, recused
):
    meeting = recused
    member = meeting.scorers()[2]
    services.close_round(meeting.round, meeting.chair)

    row = round_row(client, member, meeting)

    assert SCORE in row
    assert RECUSED_HIDDEN not in row


def test_advisor_is_told_the_result_comes_when_the_round_closes(client, meeting):
    advisor = meeting.council.memberships.get(role=CouncilRole.ADVISOR).user

    row = round_row(client, advisor, meeting)
    dossier, _product = pages(client, advisor, meeting)

    for part in (row, evaluations_part(dossier)):
        assert SCORE not in part
        assert OTHERS_HIDDEN in part
        assert MEMBER_HIDDEN not in part


def test_round_page_does_not_mark_a_hidden_result_blocked(client, meeting):
    url = reverse("evaluation:round-detail", args=[meeting.round.pk])
    row = f'id="evaluation-{meeting.evaluation.pk}"'

    client.force_login(meeting.chair)
    chair_page = client.get(url).content.decode()
    client.force_login(meeting.officer)
    officer_page = client.get(url).content.decode()

    assert meeting.evaluation.blocked_reasons != []
    assert f"{row}>" in chair_page
    assert f'{row} class="table-warning">' in officer_page
