"""An open round past its closing date says so, on its page, on the scoring page
and in the lists, but refuses nothing: the council may meet late. On the closing
day itself a round is not late; once closed it is no longer."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from evaluation import services
from evaluation.models import MemberScore, Round
from evaluation.sheets import sheet_spec
from tests.evaluation_builders import Meeting
from tests.test_evaluation_views import as_post, second_options

pytestmark = pytest.mark.django_db


@pytest.fixture
def meeting(lai_chau):
    return Meeting()


def closing(meeting, days_from_today):
    """The round's closing date ``days_from_today`` from today (negative: past)."""
    day = timezone.localdate() + timedelta(days=days_from_today)
    Round.objects.filter(pk=meeting.round.pk).update(closes_on=day)
    meeting.round.refresh_from_db()
    return day


def warning(day, days):
    return (
        f"Đã quá hạn đợt ({day:%d/%m/%Y}): đợt đã muộn {days} ngày; hội đồng vẫn "
        "chấm điểm và đóng đợt được."
    )


def overdue_alert(html):
    found = re.findall(
        r'<div class="alert alert-warning py-2 small" id="round-overdue" '
        r'role="status"><i class="bi bi-clock-history"></i> (.*?)</div>',
        html,
    )
    return found[0] if found else None


def round_page(client, user, meeting):
    client.force_login(user)
    return client.get(
        reverse("evaluation:round-detail", args=[meeting.round.pk])
    ).content.decode()


def scoring_page(client, user, meeting):
    client.force_login(user)
    return client.get(
        reverse("evaluation:evaluation-score", args=[meeting.evaluation.pk])
    ).content.decode()


def test_round_is_overdue_only_after_its_closing_day(meeting):
    today = timezone.localdate()
    meeting.round.closes_on = today

    on_the_day = meeting.round.days_overdue(today)
    day_after = meeting.round.days_overdue(today + timedelta(days=1))
    week_after = meeting.round.days_overdue(today + timedelta(days=7))

    assert (on_the_day, day_after, week_after) == (0, 1, 7)
    assert services.round_overdue(meeting.round, today) == ""
    assert services.round_overdue(meeting.round, today + timedelta(days=7)) == (
        warning(today, 7)
    )


@pytest.mark.parametrize(
    ("days_from_today", "late"), [(1, None), (0, None), (-1, 1), (-35, 35)]
)
def test_round_and_scoring_pages_warn_of_an_overdue_round(
    client, meeting, days_from_today, late
):
    day = closing(meeting, days_from_today)
    member = meeting.scorers()[2]

    pages = [
        round_page(client, member, meeting),
        round_page(client, meeting.officer, meeting),
        scoring_page(client, member, meeting),
    ]

    expected = warning(day, late) if late else None
    assert [overdue_alert(html) for html in pages] == [expected] * 3


def test_chair_correction_page_warns_of_an_overdue_round(client, meeting):
    day = closing(meeting, -2)
    member = meeting.scorers()[2]
    score = services.submit_member_score(
        meeting.evaluation, member, second_options(meeting.evaluation)
    )
    client.force_login(meeting.chair)

    html = client.get(
        reverse("evaluation:score-correct", args=[score.pk])
    ).content.decode()

    assert overdue_alert(html) == warning(day, 2)


def test_overdue_round_still_takes_sheets_and_closes_warned_not_refused(
    client, meeting
):
    closing(meeting, -10)
    spec = sheet_spec(meeting.evaluation.sheet)
    url = reverse("evaluation:evaluation-score", args=[meeting.evaluation.pk])
    submitted = []
    for member in meeting.scorers():
        client.force_login(member)
        response = client.post(
            url,
            as_post(second_options(meeting.evaluation), spec, action="submit"),
            follow=True,
        )
        submitted.append([m.message for m in response.context["messages"]])
    client.force_login(meeting.chair)

    closed = client.post(
        reverse("evaluation:round-close", args=[meeting.round.pk]), follow=True
    )

    meeting.round.refresh_from_db()
    assert submitted == [["Đã nộp phiếu chấm: 71 điểm. Phiếu đã khóa."]] * 3
    assert MemberScore.objects.filter(submitted_at__isnull=False).count() == 3
    assert not meeting.round.is_open
    assert [m.message for m in closed.context["messages"]] == [
        "Đã đóng đợt: kết quả đã chốt."
    ]
    # Closed, the round is no longer late.
    assert overdue_alert(closed.content.decode()) is None


def round_list_row(client, user, round):
    client.force_login(user)
    html = client.get(reverse("evaluation:round-list")).content.decode()
    href = reverse("evaluation:round-detail", args=[round.pk])
    return html.split(f'<a href="{href}">')[1].split("</tr>")[0]


@pytest.mark.parametrize(
    ("days_from_today", "marked"), [(1, False), (0, False), (-1, True)]
)
def test_round_list_marks_the_open_rounds_past_their_closing_date(
    client, meeting, days_from_today, marked
):
    closing(meeting, days_from_today)

    row = round_list_row(client, meeting.officer, meeting.round)

    assert ('class="badge text-bg-warning round-overdue"' in row) is marked


def test_round_list_does_not_mark_a_closed_round_past_its_date(client, meeting):
    closing(meeting, -1)
    for member in meeting.scorers():
        services.submit_member_score(
            meeting.evaluation, member, second_options(meeting.evaluation)
        )
    services.close_round(meeting.round, meeting.chair)

    row = round_list_row(client, meeting.officer, meeting.round)

    assert "round-overdue" not in row


@pytest.mark.parametrize(("days_from_today", "marked"), [(0, False), (-1, True)])
def test_home_page_marks_what_waits_in_an_overdue_round(
    client, meeting, days_from_today, marked
):
    closing(meeting, days_from_today)
    client.force_login(meeting.scorers()[2])

    html = client.get(reverse("registry:home")).content.decode()

    waiting = html.split('id="to-score-list"')[1]
    assert ('class="badge text-bg-warning round-overdue"' in waiting) is marked
