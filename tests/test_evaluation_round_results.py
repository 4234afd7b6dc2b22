"""The round page's results say what they are: recomputed after a correction,
blocked (and why) rather than starred, below their band because of named star
minimums, out of date when a sheet came in since; the corrections of members'
sheets and the members who declared a conflict are shown, and only the members who
may score count."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from evaluation import services
from evaluation.models import CouncilSettings, MemberScore
from evaluation.sheets import sheet_spec
from ocop.models import AuditEntry
from tests.evaluation_builders import Meeting, waiting_dossier
from tests.test_evaluation_views import second_options

pytestmark = pytest.mark.django_db

SPREAD = (
    "Điểm của các thành viên chênh nhau 14 điểm, vượt mức cho phép 10: hội đồng cần "
    "thảo luận và chấm lại."
)
NO_QUORUM = (
    "Mới có 2 trong 3 thành viên được chấm sản phẩm này nộp phiếu, chưa có phiếu "
    "của Chủ tịch hội đồng; quy chế cần ít nhất 3/4 số thành viên đó (3 người) nộp "
    "phiếu, kể cả Chủ tịch."
)
BLOCKED = "Chưa có kết quả: hội đồng cần giải quyết trước"
REASON = "Thành viên tích nhầm phần C, đã thống nhất tại cuộc họp."


@pytest.fixture
def meeting(lai_chau):
    """The council's members go by their user names on the pages."""
    meeting = Meeting()
    for membership in meeting.council.memberships.select_related("user"):
        membership.user.first_name = membership.user.last_name = ""
        membership.user.save(update_fields=["first_name", "last_name"])
    return meeting


def with_options(evaluation, changes):
    """``second_options`` with the option at another index on some criteria."""
    spec = sheet_spec(evaluation.sheet)
    selections = second_options(evaluation)
    for code, index in changes.items():
        leaf = next(c for c in spec.leaves() if c.code == code)
        selections = [i for i in selections if spec.owner(i) is not leaf]
        selections.append(leaf.options[index].id)
    return selections


def round_page(client, user, meeting):
    client.force_login(user)
    return client.get(reverse("evaluation:round-detail", args=[meeting.round.pk]))


def row(response, evaluation):
    """The round page's row of one product."""
    html = response.content.decode()
    return html.split(f'id="evaluation-{evaluation.pk}"')[1].split("</tr>")[0]


def text(html):
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


# -- a correction recomputes --------------------------------------------------------


def test_correction_computes_the_result_again(meeting):
    chair, vice, member = meeting.scorers()
    selections = second_options(meeting.evaluation)
    for user in (chair, vice, member):
        services.submit_member_score(meeting.evaluation, user, selections)
    services.compute_result(meeting.evaluation, chair)
    score = MemberScore.objects.get(member=member)

    services.correct_member_score(
        score,
        chair,
        second_options(meeting.evaluation, low_parts=("C",)),
        reason=REASON,
    )

    meeting.evaluation.refresh_from_db()
    computed = AuditEntry.objects.filter(action="evaluation.result.computed")
    assert str(meeting.evaluation.score) == "66.33"
    assert meeting.evaluation.blocked_reasons == [SPREAD]
    assert computed.count() == 2
    assert computed.order_by("-id").first().actor == chair


def test_round_page_after_a_correction_shows_the_new_result_and_the_correction(
    client, meeting
):
    chair, vice, member = meeting.scorers()
    selections = second_options(meeting.evaluation)
    for user in (chair, vice, member):
        services.submit_member_score(meeting.evaluation, user, selections)
    services.compute_result(meeting.evaluation, chair)
    url = reverse(
        "evaluation:score-correct", args=[MemberScore.objects.get(member=member).pk]
    )
    spec = sheet_spec(meeting.evaluation.sheet)
    lower = second_options(meeting.evaluation, low_parts=("C",))
    client.force_login(chair)
    client.post(
        url,
        {**{f"c{spec.owner(i).id}": str(i) for i in lower}, "reason": REASON},
    )

    page = round_page(client, chair, meeting)

    shown = text(row(page, meeting.evaluation))
    assert "66,33" in shown
    assert "chênh lệch 14 điểm" in shown
    assert SPREAD in shown
    assert "bị chặn" in shown
    assert "Chuyển cấp trên" not in shown
    assert "Công nhận" not in shown
    assert re.search(
        rf"uyvien: 57 .*Hiệu chỉnh bởi chutich lúc \d\d:\d\d \d\d/\d\d/\d{{4}}: "
        rf"71 → 57 điểm\. Lý do: {REASON}",
        shown,
    ), shown


# -- blocked, provisional, below the band ---------------------------------------------


def test_round_page_shows_a_blocked_result_as_blocked_not_starred(client, meeting):
    _chair, vice, member = meeting.scorers()
    for user in (vice, member):
        services.submit_member_score(
            meeting.evaluation, user, second_options(meeting.evaluation)
        )
    services.compute_result(meeting.evaluation, meeting.chair)

    page = round_page(client, meeting.officer, meeting)

    html = row(page, meeting.evaluation)
    assert 'class="table-warning"' in page.content.decode()
    assert "bi-star-fill" not in html
    assert "result-blocked" in html
    assert text(html).endswith(f"71,00 bị chặn {BLOCKED} {NO_QUORUM}")


def test_round_page_marks_an_unblocked_open_result_provisional(client, meeting):
    for user in meeting.scorers():
        services.submit_member_score(
            meeting.evaluation, user, second_options(meeting.evaluation)
        )
    services.compute_result(meeting.evaluation, meeting.chair)

    page = round_page(client, meeting.officer, meeting)

    shown = text(row(page, meeting.evaluation))
    assert shown.endswith("71,00 4 Chuyển cấp trên tạm tính"), shown


def test_round_page_names_the_star_minimums_that_keep_a_result_below_its_band(
    client, meeting
):
    # 3.4 at its first option misses the 4★ minimum; 3.5 at its third makes up a
    # point: 70, in the 4★ band.
    selections = with_options(meeting.evaluation, {"3.4": 0, "3.5": 2})
    for user in meeting.scorers():
        services.submit_member_score(meeting.evaluation, user, selections)
    services.compute_result(meeting.evaluation, meeting.chair)

    page = round_page(client, meeting.officer, meeting)

    meeting.evaluation.refresh_from_db()
    assert (str(meeting.evaluation.score), meeting.evaluation.stars) == ("70.00", 3)
    assert (
        "70,00 điểm nhưng chưa đạt các tiêu chí tối thiểu của 4 sao: 3.4 → 3 sao"
        in text(row(page, meeting.evaluation))
    )
    dossier = client.get(
        reverse("evaluation:dossier-detail", args=[meeting.dossier.pk])
    ).content.decode()
    assert (
        "70,00 điểm nhưng chưa đạt các tiêu chí tối thiểu của 4 sao: 3.4 → 3 sao"
        in text(dossier)
    )


def test_round_page_says_a_result_older_than_a_sheet_is_out_of_date(client, meeting):
    chair, vice, member = meeting.scorers()
    selections = second_options(meeting.evaluation)
    for user in (vice, member):
        services.submit_member_score(meeting.evaluation, user, selections)
    services.compute_result(meeting.evaluation, chair)
    before = text(row(round_page(client, meeting.officer, meeting), meeting.evaluation))
    services.submit_member_score(meeting.evaluation, chair, selections)

    after = text(row(round_page(client, meeting.officer, meeting), meeting.evaluation))
    client.post(reverse("evaluation:round-compute", args=[meeting.round.pk]))
    computed = text(
        row(round_page(client, meeting.officer, meeting), meeting.evaluation)
    )

    stale = "trước khi có phiếu nộp sau đó: cần bấm “Tính kết quả” để tính lại."
    assert stale not in before
    assert stale in after
    assert "3/3 đã nộp" in after
    assert stale not in computed
    assert computed.endswith("71,00 4 Chuyển cấp trên tạm tính")


def test_round_page_queries_do_not_grow_with_results_below_their_band(client, meeting):
    selections = with_options(meeting.evaluation, {"3.4": 0, "3.5": 2})
    for user in meeting.scorers():
        services.submit_member_score(meeting.evaluation, user, selections)
    services.compute_result(meeting.evaluation, meeting.chair)
    url = reverse("evaluation:round-detail", args=[meeting.round.pk])
    client.force_login(meeting.officer)
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    second = waiting_dossier(meeting.officer, name="Du lịch cộng đồng bản Lao Chải")
    evaluation = services.add_to_round(meeting.round, second, meeting.officer)
    services.record_precheck(evaluation, meeting.chair, "Hồ sơ đầy đủ.")
    for user in meeting.scorers():
        services.submit_member_score(evaluation, user, selections)
    services.compute_result(evaluation, meeting.chair)

    with CaptureQueriesContext(connection) as two:
        response = client.get(url)

    # The round page's 14, and one for the sheets of the results below their band.
    assert len(one.captured_queries) == 15
    assert len(two.captured_queries) == 15
    assert [e.missed_minimums for e in response.context["evaluations"]] == [
        (4, 4, ["3.4"]),
        (4, 4, ["3.4"]),
    ]


# -- conflicts of interest ------------------------------------------------------------


def test_member_who_declared_a_conflict_is_shown_recused_and_not_counted(
    client, meeting
):
    chair, vice, member = meeting.scorers()
    services.declare_conflict(
        meeting.council, vice, meeting.dossier, "Người thân của chủ thể."
    )
    for user in (chair, member):
        services.submit_member_score(
            meeting.evaluation, user, second_options(meeting.evaluation)
        )
    client.force_login(chair)
    client.post(reverse("evaluation:round-compute", args=[meeting.round.pk]))

    chair_view = text(row(round_page(client, chair, meeting), meeting.evaluation))
    vice_view = text(row(round_page(client, vice, meeting), meeting.evaluation))

    meeting.evaluation.refresh_from_db()
    assert meeting.evaluation.blocked_reasons == []
    assert (
        "2/2 đã nộp chutich: 71 hiệu chỉnh uyvien: 71 hiệu chỉnh phochutich: đã khai "
        "xung đột lợi ích, không chấm sản phẩm này Lý do: Người thân của chủ thể. "
        "chênh lệch 0 điểm 71,00 4 Chuyển cấp trên tạm tính"
    ) in chair_view
    assert "Bạn đã khai xung đột lợi ích: không chấm sản phẩm này" in vice_view
    assert "Chấm điểm" not in vice_view


def test_quorum_counts_only_the_members_who_may_score(client, meeting):
    chair, vice, member = meeting.scorers()
    for user in (vice, member):
        services.declare_conflict(meeting.council, user, meeting.dossier, "Họ hàng.")
    services.submit_member_score(
        meeting.evaluation, chair, second_options(meeting.evaluation)
    )

    services.compute_result(meeting.evaluation, chair)
    page = round_page(client, meeting.officer, meeting)

    meeting.evaluation.refresh_from_db()
    assert meeting.evaluation.blocked_reasons == []
    assert (
        "1/1 đã nộp phochutich: đã khai xung đột lợi ích, không chấm sản phẩm này "
        "Lý do: Họ hàng. uyvien: đã khai xung đột lợi ích, không chấm sản phẩm này "
        "Lý do: Họ hàng. 71,00 4"
    ) in text(row(page, meeting.evaluation))


def test_quorum_reason_names_the_recused_member_and_the_chair_missing(meeting):
    chair, vice, member = meeting.scorers()
    services.declare_conflict(meeting.council, member, meeting.dossier, "Họ hàng.")
    services.submit_member_score(
        meeting.evaluation, vice, second_options(meeting.evaluation)
    )

    services.compute_result(meeting.evaluation, chair)

    meeting.evaluation.refresh_from_db()
    assert meeting.evaluation.blocked_reasons == [
        "Mới có 1 trong 2 thành viên được chấm sản phẩm này nộp phiếu, chưa có phiếu "
        "của Chủ tịch hội đồng; quy chế cần ít nhất 3/4 số thành viên đó (2 người) "
        "nộp phiếu, kể cả Chủ tịch. Không tính 1 thành viên đã khai xung đột lợi ích."
    ]


def test_quorum_reason_follows_the_provinces_council_settings(meeting):
    CouncilSettings.objects.create(
        province=meeting.round.province,
        quorum_numerator=2,
        quorum_denominator=3,
        is_chair_required=False,
    )
    chair, vice, member = meeting.scorers()
    services.submit_member_score(
        meeting.evaluation, vice, second_options(meeting.evaluation)
    )

    short = services.compute_result(meeting.evaluation, chair).blocked_reasons
    services.submit_member_score(
        meeting.evaluation, member, second_options(meeting.evaluation)
    )
    services.compute_result(meeting.evaluation, chair)

    meeting.evaluation.refresh_from_db()
    assert short == [
        "Mới có 1 trong 3 thành viên được chấm sản phẩm này nộp phiếu; quy chế cần "
        "ít nhất 2/3 số thành viên đó (2 người) nộp phiếu."
    ]
    assert meeting.evaluation.blocked_reasons == []


# -- the scoring page ------------------------------------------------------------------


def test_scoring_page_shows_the_chairs_corrections_to_the_member_and_the_others(
    client, meeting
):
    chair, vice, member = meeting.scorers()
    selections = second_options(meeting.evaluation)
    for user in (chair, vice, member):
        services.submit_member_score(meeting.evaluation, user, selections)
    services.correct_member_score(
        MemberScore.objects.get(member=member),
        chair,
        second_options(meeting.evaluation, low_parts=("C",)),
        reason=REASON,
    )
    url = reverse("evaluation:evaluation-score", args=[meeting.evaluation.pk])

    client.force_login(member)
    own = client.get(url).content.decode()
    client.force_login(vice)
    others = client.get(url).content.decode()
    client.force_login(chair)
    correcting = client.get(
        reverse(
            "evaluation:score-correct",
            args=[MemberScore.objects.get(member=member).pk],
        )
    ).content.decode()

    line = (
        r"Hiệu chỉnh bởi chutich lúc \d\d:\d\d \d\d/\d\d/\d{4}: 71 → 57 điểm\. "
        rf"Lý do: {REASON}"
    )
    own_notice = text(own.split('id="sheet-corrections"')[1].split("</span></div>")[0])
    assert re.fullmatch(
        rf"> Phiếu của bạn đã được Chủ tịch hội đồng hiệu chỉnh: {line}",
        own_notice,
    ), own_notice
    other_scores = text(others.split('id="other-scores"')[1].split("</table>")[0])
    assert re.search(rf"uyvien {line} 57", other_scores), other_scores
    assert 'id="sheet-corrections"' not in others
    assert re.search(rf"Phiếu này đã được hiệu chỉnh: {line}", text(correcting)), text(
        correcting
    )
