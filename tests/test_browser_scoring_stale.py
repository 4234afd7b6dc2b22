"""The scoring page left open in a browser while things changed: the member submits
in a second tab, then saves and submits from the first; the session ends; the
server fails or cannot be reached. The page says in a Vietnamese sentence what
happened and what to do, never shows a refused draft as saved, and after a refused
submission shows the sheet as submitted."""

import pytest
from django.utils import timezone

from evaluation.models import MemberScore
from evaluation.sheets import sheet_spec
from tests.evaluation_builders import Meeting
from tests.test_browser_council import plan
from tests.test_browser_scoring_phone import DESKTOP, PHONE, member_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def shot(page, screenshot_dir, name):
    page.screenshot(path=screenshot_dir / f"scoring-stale-{name}.png", full_page=False)


def ready(live_server, lai_chau):
    meeting = Meeting()
    member = meeting.scorers()[1]
    member.set_password("ocop-demo-2023")
    member.save(update_fields=["password"])
    url = f"{live_server.url}/danh-gia/cham-diem/{meeting.evaluation.pk}/"
    return meeting, member, url


def answering(answer):
    """A route handler that answers every request with ``answer``."""
    return lambda route: route.fulfill(**answer)


def checked_options(page):
    return sorted(
        int(v)
        for v in page.eval_on_selector_all(
            "input.option:checked", "inputs => inputs.map(i => i.value)"
        )
    )


def test_second_tab_submits_and_the_first_is_told_its_values_were_not_saved(
    browser, live_server, screenshot_dir, lai_chau
):
    meeting, member, url = ready(live_server, lai_chau)
    spec = sheet_spec(meeting.evaluation.sheet)
    in_b = plan(spec)
    in_a = plan(spec, {leaf.code: 0 for leaf, _o in in_b if leaf.part == "A"})
    tab_a = member_page(browser, live_server, member.username, DESKTOP)
    tab_a.goto(url)
    tab_a.wait_for_selector("#scoring-form")
    for _leaf, option in in_a[:5]:
        tab_a.check(f"#o{option.id}")

    tab_b = tab_a.context.new_page()
    tab_b.on("dialog", lambda dialog: dialog.accept())
    tab_b.goto(url)
    for _leaf, option in in_b:
        tab_b.check(f"#o{option.id}")
    tab_b.click("#submit-sheet")
    tab_b.wait_for_selector("#scoring-locked")
    tab_b.close()

    tab_a.click("#save-draft")
    tab_a.wait_for_selector("#save-status .save-refused")
    draft_status = tab_a.inner_text("#save-status")
    shot(tab_a, screenshot_dir, "1-draft-refused")
    for _leaf, option in in_a[5:]:
        tab_a.check(f"#o{option.id}")
    tab_a.click("#submit-sheet")
    tab_a.wait_for_selector("#scoring-errors")
    errors = tab_a.inner_text("#scoring-errors")
    shown = checked_options(tab_a)
    tab_a.locator("#scoring-errors").scroll_into_view_if_needed()
    shot(tab_a, screenshot_dir, "2-submit-refused")

    score = MemberScore.objects.get(member=member)
    at = f"{timezone.localtime(score.submitted_at):%H:%M %d/%m/%Y}"
    refused = (
        f"Phiếu của bạn đã nộp lúc {at} và đã khóa (có thể nộp từ một thẻ hoặc máy "
        "khác): những lựa chọn vừa gửi không được lưu."
    )
    assert refused in draft_status
    assert "Tải lại trang" in draft_status
    assert "Đã lưu nháp" not in draft_status
    assert refused in errors
    assert "Trang đang hiện phiếu như đã lưu, không phải những lựa chọn vừa gửi." in (
        errors
    )
    assert shown == sorted(option.id for _leaf, option in in_b)
    assert sorted(score.selections) == shown
    assert tab_a.is_visible("#scoring-locked")
    assert tab_a.locator("#submit-sheet").count() == 0
    tab_a.context.close()


def test_draft_save_says_what_went_wrong_when_the_server_does_not_answer_as_it_should(
    browser, live_server, screenshot_dir, lai_chau
):
    meeting, member, url = ready(live_server, lai_chau)
    chosen = plan(sheet_spec(meeting.evaluation.sheet))
    page = member_page(browser, live_server, member.username, PHONE)
    page.goto(url)
    page.wait_for_selector("#scoring-form")
    for _leaf, option in chosen[:3]:
        page.check(f"#o{option.id}")

    said = {}
    for name, answer in [
        ("500", {"status": 500, "body": "<h1>Server Error (500)</h1>"}),
        ("404", {"status": 404, "body": "<h1>Not Found</h1>"}),
        ("429", {"status": 429, "body": "Too many requests"}),
    ]:
        page.route(url, answering(answer))
        page.click("#bar-save")
        page.wait_for_selector("#bar-save-status .save-problem")
        said[name] = page.inner_text("#bar-save-status .save-problem").strip()
        page.unroute(url)
        page.evaluate("document.getElementById('bar-save-status').replaceChildren()")
    page.route(url, lambda route: route.abort())
    page.click("#bar-save")
    page.wait_for_selector("#bar-save-status .save-problem")
    said["offline"] = page.inner_text("#bar-save-status .save-problem").strip()
    shot(page, screenshot_dir, "3-phone-offline")
    page.unroute(url)
    page.context.clear_cookies(name="sessionid")
    page.click("#bar-save")
    page.wait_for_selector("#bar-save-status .save-refused")
    said["signed out"] = page.inner_text("#bar-save-status .save-refused > div").strip()
    has_reload = page.is_visible("#bar-save-status a.save-reload")
    shot(page, screenshot_dir, "4-phone-signed-out")

    assert said == {
        "500": "Máy chủ gặp lỗi (mã 500) nên phiếu nháp chưa được lưu. Hãy bấm «Lưu "
        "nháp» lại sau ít phút; nếu vẫn lỗi, báo quản trị hệ thống.",
        "404": "Không còn tìm thấy phiếu chấm này: đợt đánh giá có thể đã đóng hoặc "
        "sản phẩm không còn trong đợt. Phiếu chưa được lưu; hãy tải lại trang.",
        "429": "Máy chủ không nhận phiếu nháp (mã 429): trang có thể đã cũ. Phiếu "
        "chưa được lưu; hãy tải lại trang rồi lưu lại.",
        "offline": "Không gửi được phiếu nháp tới máy chủ (mất kết nối mạng?): phiếu "
        "chưa được lưu. Kiểm tra mạng rồi bấm «Lưu nháp» lại.",
        "signed out": "Phiên đăng nhập đã hết nên phiếu nháp chưa được lưu. Hãy tải "
        "lại trang và đăng nhập lại.",
    }
    assert has_reload
    assert not MemberScore.objects.filter(member=member).exists()
    page.context.close()
