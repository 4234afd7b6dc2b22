"""The scoring page on a phone (390×844) and on a desktop: a sheet with criteria
left is not submitted, the page says how many and shows them; on the phone a bar
fixed at the bottom keeps the total, the stars and the buttons in sight."""

import pytest

from evaluation.models import MemberScore
from evaluation.sheets import sheet_spec
from tests.conftest import log_in
from tests.evaluation_builders import Meeting
from tests.test_browser_council import plan

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}


def member_page(browser, live_server, username, viewport):
    context = browser.new_context(locale="vi-VN", viewport=viewport)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.base_url = live_server.url
    page.dialogs = []

    def answer(dialog):
        page.dialogs.append(dialog.message)
        dialog.accept()

    page.on("dialog", answer)
    log_in(page, username)
    return page


def shot(page, screenshot_dir, name):
    page.screenshot(path=screenshot_dir / f"scoring-{name}.png")


def test_phone_scoring_bar_keeps_the_total_and_refuses_an_unfinished_sheet(
    browser, live_server, screenshot_dir, lai_chau
):
    meeting = Meeting()
    member = meeting.scorers()[1]
    member.set_password("ocop-demo-2023")
    member.save(update_fields=["password"])
    spec = sheet_spec(meeting.evaluation.sheet)
    chosen = plan(spec)
    url = f"{live_server.url}/danh-gia/cham-diem/{meeting.evaluation.pk}/"
    page = member_page(browser, live_server, member.username, PHONE)
    page.goto(url)
    page.wait_for_selector("#scoring-form")

    bar = page.locator("#scoring-bar").bounding_box()
    at_first = page.inner_text("#bar-progress")
    for _leaf, option in chosen[:5]:
        page.check(f"#o{option.id}")
    ticked = sum(option.points for _leaf, option in chosen[:5])
    shot(page, screenshot_dir, "phone-1-ticking")
    page.click("#bar-submit")
    refusal = page.inner_text("#scoring-bar .submit-refusal")
    first_missing = page.locator("tr.criterion-missing").first
    missing_in_view = first_missing.is_visible() and _in_viewport(page, first_missing)
    shot(page, screenshot_dir, "phone-2-refused")

    left = len(chosen) - 5
    assert page.is_visible("#scoring-bar")
    assert (bar["y"] + bar["height"], bar["width"]) == (844, 390)
    assert not _in_viewport(page, page.locator("#scoring-summary"))
    assert at_first == f"Còn {len(chosen)} tiêu chí chưa chấm."
    assert page.inner_text("#bar-total") == str(ticked)
    assert page.dialogs == []
    assert refusal == (
        f"Chưa nộp được: còn {left} tiêu chí chưa chấm (đã đánh dấu đỏ). Hãy chấm đủ "
        "rồi nộp lại."
    )
    assert page.locator("tr.criterion-missing").count() == left
    assert missing_in_view
    assert page.url == url
    assert not MemberScore.objects.filter(submitted_at__isnull=False).exists()

    for _leaf, option in chosen[5:]:
        page.check(f"#o{option.id}")
    total = sum(option.points for _leaf, option in chosen)
    complete = (
        page.inner_text("#bar-total"),
        page.inner_text("#bar-stars"),
        page.inner_text("#bar-progress"),
        page.is_visible("#scoring-bar .submit-refusal"),
        page.locator("tr.criterion-missing").count(),
    )
    page.click("#bar-save")
    page.wait_for_selector("#bar-save-status .text-success")
    saved = page.inner_text("#bar-save-status")
    shot(page, screenshot_dir, "phone-3-saved")
    page.click("#bar-submit")
    page.wait_for_selector("#scoring-locked")
    shot(page, screenshot_dir, "phone-4-submitted")

    assert complete == (str(total), "3★", "Đã chấm đủ các tiêu chí.", False, 0)
    assert saved.endswith(f"{total} điểm.")
    assert page.dialogs == ["Nộp phiếu? Sau khi nộp, phiếu bị khóa."]
    assert MemberScore.objects.get(member=member).total == total
    assert page.inner_text("#bar-total") == str(total)
    assert page.locator("#bar-submit").count() == 0
    page.context.close()


def test_desktop_scoring_keeps_the_side_panel_and_refuses_an_unfinished_sheet(
    browser, live_server, screenshot_dir, lai_chau
):
    meeting = Meeting()
    member = meeting.scorers()[2]
    member.set_password("ocop-demo-2023")
    member.save(update_fields=["password"])
    chosen = plan(sheet_spec(meeting.evaluation.sheet))
    page = member_page(browser, live_server, member.username, DESKTOP)
    page.goto(f"{live_server.url}/danh-gia/cham-diem/{meeting.evaluation.pk}/")
    page.wait_for_selector("#scoring-form")
    page.check(f"#o{chosen[0][1].id}")

    page.click("#submit-sheet")
    refusal = page.inner_text("#scoring-summary .submit-refusal")
    shot(page, screenshot_dir, "desktop-refused")

    assert page.is_hidden("#scoring-bar")
    assert _in_viewport(page, page.locator("#submit-sheet"))
    assert refusal.startswith(f"Chưa nộp được: còn {len(chosen) - 1} tiêu chí")
    assert page.dialogs == []
    assert not MemberScore.objects.exists()
    page.context.close()


def _in_viewport(page, locator):
    box = locator.bounding_box()
    height = page.viewport_size["height"]
    return box is not None and box["y"] < height and box["y"] + box["height"] > 0
