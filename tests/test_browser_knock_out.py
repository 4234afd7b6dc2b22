"""The scoring page warns as soon as a member ticks a knock-out ("Bị loại nếu …")
on a real sheet, and takes the warning back when the box is unticked: the white
spirit sheet (set 14), whose 1.1 (all raw material imported or of unknown origin)
and 2.1 (a copy of another producer's product) carry knock-out notes."""

import pytest

from evaluation.models import MemberScore
from evaluation.sheets import sheet_spec
from tests.conftest import log_in
from tests.test_real_sheets import WHITE_SPIRIT, best_everywhere, knock_out_round

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ORIGIN = "⚠ Tiêu chí 1.1 đánh dấu loại: sản phẩm bị loại."
COPY = "⚠ Tiêu chí 2.1 đánh dấu loại: sản phẩm bị loại."


def warnings(page):
    return page.locator("#scoring-warnings li").all_inner_texts()


def test_ticking_a_knock_out_warns_and_unticking_takes_it_back(
    page, lai_chau, screenshot_dir
):
    _round, evaluation, users = knock_out_round(WHITE_SPIRIT, 3)
    member = users[1]
    member.set_password("ocop-demo-2023")
    member.save(update_fields=["password"])
    spec = sheet_spec(evaluation.sheet)
    criteria = {c.code: c for c in spec.walk()}
    log_in(page, member.username)
    page.goto(f"{page.base_url}/danh-gia/cham-diem/{evaluation.pk}/")
    page.wait_for_selector("#scoring-form")
    for option in best_everywhere(spec).values():
        page.check(f"#o{option.id}")
    before = (warnings(page), page.inner_text("#scoring-stars"))

    origin = page.locator(f"#ko-{criteria['1.1'].id}")
    origin.check()
    one = (warnings(page), page.inner_text("#scoring-stars"))
    origin.scroll_into_view_if_needed()
    page.screenshot(path=screenshot_dir / "knock-out-1-ticked.png")
    page.check(f"#ko-{criteria['2.1'].id}")
    two = warnings(page)
    page.locator("#scoring-summary").scroll_into_view_if_needed()
    page.screenshot(path=screenshot_dir / "knock-out-2-two-ticked.png")
    origin.uncheck()
    back_to_one = warnings(page)
    page.uncheck(f"#ko-{criteria['2.1'].id}")
    none = (warnings(page), page.inner_text("#scoring-stars"))
    page.screenshot(path=screenshot_dir / "knock-out-3-unticked.png")

    assert page.locator(f"label[for=ko-{criteria['1.1'].id}]").inner_text() == (
        "Ghi chú: Bị loại nếu sử dụng toàn bộ nguyên liệu nhập khẩu hoặc không rõ "
        "nguồn gốc"
    )
    assert before == ([], "Theo điểm: 5 sao ★")
    assert one == ([ORIGIN], "Theo điểm: 5 sao → bị loại")
    assert page.inner_text("#total-all") == "100"
    assert two == [ORIGIN, COPY]
    assert back_to_one == [COPY]
    assert none == ([], "Theo điểm: 5 sao ★")


def test_a_draft_saved_with_a_knock_out_warns_again_when_reopened(
    page, lai_chau, screenshot_dir
):
    _round, evaluation, users = knock_out_round(WHITE_SPIRIT, 3)
    member = users[2]
    member.set_password("ocop-demo-2023")
    member.save(update_fields=["password"])
    criteria = {c.code: c for c in sheet_spec(evaluation.sheet).walk()}
    url = f"{page.base_url}/danh-gia/cham-diem/{evaluation.pk}/"
    log_in(page, member.username)
    page.goto(url)
    page.wait_for_selector("#scoring-form")
    page.check(f"#ko-{criteria['2.1'].id}")
    page.click("#save-draft")
    page.wait_for_selector("#save-status .text-success")

    page.goto(url)
    page.wait_for_selector("#scoring-form")
    reopened = warnings(page)
    page.screenshot(path=screenshot_dir / "knock-out-4-draft-reopened.png")

    draft = MemberScore.objects.get(evaluation=evaluation, member=member)
    assert (draft.knock_outs, draft.submitted_at) == ([criteria["2.1"].id], None)
    assert page.is_checked(f"#ko-{criteria['2.1'].id}")
    assert reopened == [COPY]
    assert page.inner_text("#bar-stars") == "bị loại"
