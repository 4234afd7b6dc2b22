"""A closed round's member sheet in the browser: the district officer opens it from
the round page, reads the options ticked (none can be changed), the part totals
and the chair's correction, and goes on to another member's sheet."""

import pytest

from evaluation import services
from evaluation.enums import CouncilRole
from evaluation.models import CouncilSettings, MemberScore
from registry.demo import create_demo_accounts
from registry.models import User
from tests.conftest import log_in
from tests.evaluation_builders import Meeting
from tests.test_evaluation_views import second_options

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REASON = "Thành viên tích nhầm phần C, đã thống nhất tại cuộc họp."


def test_officer_reads_each_members_sheet_of_a_closed_round(
    page, screenshot_dir, lai_chau
):
    create_demo_accounts("12")
    users = {u.username: u for u in User.objects.all()}
    meeting = Meeting(
        members=[
            (users["hoidong1"], CouncilRole.CHAIR),
            (users["hoidong2"], CouncilRole.VICE_CHAIR),
            (users["hoidong3"], CouncilRole.MEMBER),
        ],
        officer=users["huyen.tamduong"],
    )
    CouncilSettings.objects.create(province=meeting.round.province, max_spread=20)
    chair, vice, member = meeting.scorers()
    for user in (chair, vice, member):
        services.submit_member_score(
            meeting.evaluation, user, second_options(meeting.evaluation)
        )
    score = MemberScore.objects.get(evaluation=meeting.evaluation, member=member)
    lower = second_options(meeting.evaluation, low_parts=("C",))
    services.correct_member_score(score, chair, lower, reason=REASON)
    services.close_round(meeting.round, chair)
    log_in(page, "huyen.tamduong")

    page.goto(f"{page.base_url}/danh-gia/dot/{meeting.round.pk}/")
    row = f"#evaluation-{meeting.evaluation.pk}"
    page.locator(f"{row} .member-score", has_text=str(member)).locator(
        "a.member-sheet-link"
    ).click()
    page.wait_for_selector("#scoring-readonly")

    assert page.inner_text("#total-all") == "57"
    assert page.inner_text("#total-C") == "12"
    assert page.inner_text("#scoring-progress") == "Đã chấm đủ các tiêu chí."
    assert page.inner_text("#scoring-stars").startswith("Theo điểm: 3 sao")
    assert REASON in page.inner_text("#sheet-corrections")
    assert page.is_checked(f"#o{lower[0]}")
    assert page.is_disabled(f"#o{lower[0]}")
    assert page.locator("#scoring-form input:not([disabled])").count() == 0
    assert page.locator("#scoring-form button").count() == 0
    page.screenshot(path=screenshot_dir / "closed-sheet-1-member.png")

    page.click(f"#other-scores a:has-text('{vice}')")
    page.wait_for_selector("#scoring-readonly")
    assert page.inner_text("#total-all") == "71"
    assert str(vice) in page.inner_text("h1")
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=screenshot_dir / "closed-sheet-2-phone.png")
    assert page.locator("#scoring-bar button").count() == 0
