"""A closed round's member sheets are part of its record: the council's members and
whoever may open the round read each submitted sheet, read-only (the options
ticked, the part totals, the chair's corrections with their reasons), from the
round page; members of other councils, other districts' officers and the commune
get nothing, and no sheet opens this way while the round is still open."""

import re

import pytest
from django.urls import reverse

from evaluation import services
from evaluation.enums import CouncilRole
from evaluation.models import Council, CouncilMembership, CouncilSettings, MemberScore
from evaluation.services.scores import local_time
from registry.enums import Role
from tests.evaluation_builders import Meeting, binh_lu_officer
from tests.factories import LAI_CHAU_CITY, UserFactory, district
from tests.test_evaluation_views import second_options

pytestmark = pytest.mark.django_db

REASON = "Thành viên tích nhầm phần C, đã thống nhất tại cuộc họp."


@pytest.fixture
def meeting(lai_chau):
    return Meeting()


def score_of(meeting, user):
    return MemberScore.objects.get(evaluation=meeting.evaluation, member=user)


def sheet_url(score):
    return reverse("evaluation:member-score-detail", args=[score.pk])


@pytest.fixture
def closed(meeting):
    """The three scoring members submitted 71 points each; the chair corrected the
    member's sheet to 57 (part C lower), with a reason; the round is closed (the
    province allows a spread of 20 points)."""
    CouncilSettings.objects.create(province=meeting.round.province, max_spread=20)
    chair, vice, member = meeting.scorers()
    for user in (chair, vice, member):
        services.submit_member_score(
            meeting.evaluation, user, second_options(meeting.evaluation)
        )
    services.correct_member_score(
        score_of(meeting, member),
        chair,
        second_options(meeting.evaluation, low_parts=("C",)),
        reason=REASON,
    )
    services.close_round(meeting.round, chair)
    meeting.round.refresh_from_db()
    return meeting


def province_staff():
    return UserFactory(username="tinh.ocop", role=Role.PROVINCE_STAFF)


def other_council_member(meeting):
    """A member of another council of the same district and year."""
    council = Council.objects.create(
        tier=meeting.council.tier,
        province=meeting.council.province,
        district=meeting.council.district,
        year=2023,
        name="Hội đồng OCOP huyện Tam Đường (bổ sung)",
    )
    user = UserFactory(username="tv.khac", role=Role.COUNCIL_MEMBER)
    CouncilMembership.objects.create(council=council, user=user, role=CouncilRole.CHAIR)
    return user


def viewers(meeting, who):
    if who == "advisor":
        return meeting.council.memberships.get(role=CouncilRole.ADVISOR).user
    if who in ("chair", "vice", "member"):
        chair, vice, member = meeting.scorers()
        return {"chair": chair, "vice": vice, "member": member}[who]
    if who == "district officer":
        return meeting.officer
    if who == "province staff":
        return province_staff()
    if who == "other council":
        return other_council_member(meeting)
    if who == "other district":
        return UserFactory(
            username="huyen.thanhpho",
            role=Role.DISTRICT_OFFICER,
            district=district(LAI_CHAU_CITY),
        )
    if who == "commune":
        return binh_lu_officer()
    raise AssertionError(who)


def checked_options(html):
    return {
        int(pk)
        for pk in re.findall(
            r'<input class="form-check-input option" type="radio" name="c\d+" '
            r'id="o(\d+)"[^>]* checked disabled>',
            html,
        )
    }


@pytest.mark.parametrize(
    "who",
    ["chair", "vice", "member", "advisor", "district officer", "province staff"],
)
def test_closed_rounds_sheet_is_read_by_the_council_and_the_rounds_staff(
    client, closed, who
):
    meeting = closed
    member = meeting.scorers()[2]
    score = score_of(meeting, member)
    client.force_login(viewers(meeting, who))

    response = client.get(sheet_url(score))

    html = response.content.decode()
    assert response.status_code == 200
    assert f"Phiếu của {member}: {meeting.dossier.registration.product.name}" in html
    # What the member ticked, as it stands after the chair's correction.
    assert checked_options(html) == set(score.selections)
    assert (score.part_a, score.part_b, score.part_c, score.total) == (28, 17, 12, 57)
    for part, total in (("A", 28), ("B", 17), ("C", 12)):
        assert re.search(rf'<span id="total-{part}" [^>]*>{total}</span>', html)
    assert '<span id="total-all">57</span>/100' in html
    assert (
        f"Phiếu của {member}, nộp lúc "
        f"{local_time(score.submitted_at)}: 57 điểm (phần A 28, phần B 17, "
        "phần C 12)."
    ) in " ".join(html.split())
    corrections = html.split('id="sheet-corrections"')[1].split("</div></div>")[0]
    assert "71 → 57 điểm" in corrections
    assert f"Lý do: {REASON}" in corrections
    # Read-only: no form, nothing to tick, save, submit or correct.
    content = html.split('id="scoring-readonly"')[1].split("</main>")[0]
    assert '<div id="scoring-form" class="has-scoring-bar scoring-readonly"' in html
    for control in (
        "<form",
        "<button",
        "csrfmiddlewaretoken",
        'name="reason"',
        "Nộp phiếu",
        "Lưu nháp",
        "Ghi hiệu chỉnh",
    ):
        assert control not in content
    inputs = re.findall(r"<input [^>]*>", content)
    assert inputs
    assert all(" disabled" in i for i in inputs)
    # The other members' sheets are a link away.
    chair, vice, _member = meeting.scorers()
    others = html.split('id="other-scores"')[1]
    for other in (chair, vice):
        assert sheet_url(score_of(meeting, other)) in others


@pytest.mark.parametrize("who", ["other council", "other district", "commune"])
def test_closed_rounds_sheet_is_not_found_for_anyone_else(client, closed, who):
    meeting = closed
    client.force_login(viewers(meeting, who))

    responses = [
        client.get(sheet_url(score_of(meeting, user))) for user in meeting.scorers()
    ]

    assert [r.status_code for r in responses] == [404, 404, 404]


def test_sheet_is_not_opened_read_only_while_the_round_is_open(client, meeting):
    chair, vice, member = meeting.scorers()
    for user in (chair, vice):
        services.submit_member_score(
            meeting.evaluation, user, second_options(meeting.evaluation)
        )
    score = score_of(meeting, vice)

    statuses = []
    for viewer in (chair, vice, meeting.officer, province_staff()):
        client.force_login(viewer)
        statuses.append(client.get(sheet_url(score)).status_code)

    assert statuses == [404, 404, 404, 404]


def test_a_draft_left_in_a_closed_round_is_not_opened(client, meeting):
    """Two of three suffice here; the member's draft never became a sheet."""
    CouncilSettings.objects.create(
        province=meeting.round.province,
        quorum_numerator=2,
        quorum_denominator=3,
        is_chair_required=False,
    )
    chair, vice, member = meeting.scorers()
    services.save_member_score(
        meeting.evaluation, member, second_options(meeting.evaluation)
    )
    for user in (chair, vice):
        services.submit_member_score(
            meeting.evaluation, user, second_options(meeting.evaluation)
        )
    services.close_round(meeting.round, chair)
    client.force_login(chair)

    draft = client.get(sheet_url(score_of(meeting, member)))
    submitted = client.get(sheet_url(score_of(meeting, vice)))

    assert (draft.status_code, submitted.status_code) == (404, 200)


@pytest.mark.parametrize("who", ["chair", "advisor", "district officer"])
def test_closed_round_page_links_each_submitted_sheet(client, closed, who):
    meeting = closed
    client.force_login(viewers(meeting, who))

    html = client.get(
        reverse("evaluation:round-detail", args=[meeting.round.pk])
    ).content.decode()

    row = html.split(f'id="evaluation-{meeting.evaluation.pk}"')[1].split("</tr>")[0]
    links = re.findall(r'<a class="small member-sheet-link" href="([^"]+)">', row)
    assert links == [sheet_url(score_of(meeting, user)) for user in meeting.scorers()]
    assert "hiệu chỉnh</a>" not in row


def test_open_round_page_links_no_read_only_sheet(client, meeting):
    chair, vice, member = meeting.scorers()
    for user in (chair, vice, member):
        services.submit_member_score(
            meeting.evaluation, user, second_options(meeting.evaluation)
        )
    client.force_login(chair)

    html = client.get(
        reverse("evaluation:round-detail", args=[meeting.round.pk])
    ).content.decode()

    assert "member-sheet-link" not in html
    assert html.count(">hiệu chỉnh</a>") == 3


def test_scoring_page_of_a_closed_round_shows_the_members_own_sheet(client, closed):
    meeting = closed
    vice = meeting.scorers()[1]
    client.force_login(vice)

    response = client.get(
        reverse("evaluation:evaluation-score", args=[meeting.evaluation.pk]),
        follow=True,
    )

    assert response.redirect_chain == [(sheet_url(score_of(meeting, vice)), 302)]
    assert response.status_code == 200
    assert [m.level_tag for m in response.context["messages"]] == ["info"]
