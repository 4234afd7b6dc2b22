"""A council meeting in the browser: three members score the same product on the
scoring page, the chair closes the round, the district certifies, and the
certificate appears."""

import pytest

from evaluation.enums import CouncilRole
from evaluation.sheets import sheet_spec
from registry.demo import create_demo_accounts
from registry.models import User
from tests.conftest import log_in
from tests.evaluation_builders import Meeting

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def plan(spec, change=None):
    """The options a member ticks: the second of each criterion, the first in part
    C (57 points on set 26), the first case of a choose-one group; ``change`` maps a
    criterion code to the index of another option."""
    skipped = set()
    for group in spec.walk():
        if group.choose_one:
            for case in group.children[1:]:
                skipped.add(case.code)
    chosen = []
    for leaf in spec.leaves():
        if leaf.code in skipped:
            continue
        index = 0 if leaf.part == "C" else 1
        index = (change or {}).get(leaf.code, index)
        chosen.append((leaf, leaf.options[index]))
    return chosen


def member_page(browser, live_server, username):
    context = browser.new_context(
        locale="vi-VN", viewport={"width": 1366, "height": 900}
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.base_url = live_server.url
    page.on("dialog", lambda dialog: dialog.accept())
    log_in(page, username)
    return page


def test_council_meeting_scores_closes_and_certifies(
    browser, live_server, screenshot_dir, lai_chau
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
    spec = sheet_spec(meeting.evaluation.sheet)
    round_url = f"{live_server.url}/danh-gia/dot/{meeting.round.pk}/"
    plans = {
        "hoidong1": plan(spec),
        "hoidong2": plan(spec, {"1.1": 0}),
        "hoidong3": plan(spec, {"1.2": 2}),
    }

    for number, (username, chosen) in enumerate(plans.items(), start=1):
        page = member_page(browser, live_server, username)
        page.goto(round_url)
        page.click(f"#evaluation-{meeting.evaluation.pk} a.score-link")
        page.wait_for_selector("#scoring-form")

        if number == 1:
            # Ticking the best everywhere but 3.4 (a 4★ minimum): the page warns
            # that the product falls from 5 to 3 stars.
            for leaf, _option in chosen:
                best = leaf.options[-1] if leaf.code != "3.4" else leaf.options[0]
                page.check(f"#o{best.id}")
            assert page.inner_text("#scoring-stars") == "Theo điểm: 5 sao → 3★"
            assert "tiêu chí 3.4" in page.inner_text("#scoring-warnings")
            page.locator(
                "#criterion-" + str(chosen[11][0].id)
            ).scroll_into_view_if_needed()
            page.screenshot(path=screenshot_dir / "council-0-minimum-warning.png")

        running = 0
        for leaf, option in chosen:
            page.check(f"#o{option.id}")
            running += option.points
            if leaf.code == "3.5":
                # The end of part A: its running total shows on the page.
                assert page.inner_text("#total-A") == str(running)
            if leaf.code == "5.3" and number == 2:
                # Halfway, a draft saved without leaving the page (htmx).
                page.click("#save-draft")
                page.wait_for_selector("#save-status .text-success")
                assert page.inner_text("#save-status").endswith(f"{running} điểm.")
        assert page.inner_text("#total-all") == str(running)
        assert page.inner_text("#scoring-progress") == "Đã chấm đủ các tiêu chí."
        page.screenshot(
            path=screenshot_dir / f"council-{number}-{username}-ticked.png",
            full_page=False,
        )

        page.click("#submit-sheet")
        page.wait_for_selector("#scoring-locked")
        assert page.is_disabled(f"#o{chosen[0][1].id}")
        page.screenshot(
            path=screenshot_dir / f"council-{number}-{username}-submitted.png"
        )
        page.context.close()

    chair = member_page(browser, live_server, "hoidong1")
    chair.goto(round_url)
    chair.screenshot(path=screenshot_dir / "council-4-before-close.png")
    chair.click("#close-round")
    chair.wait_for_selector("text=Đã đóng đợt: kết quả đã chốt.")
    row = f"#evaluation-{meeting.evaluation.pk}"
    assert chair.inner_text(f"{row} .result-score") == "57,00"
    assert chair.inner_text(f"{row} .result-stars").strip() == "3"
    chair.screenshot(path=screenshot_dir / "council-5-closed.png", full_page=True)
    chair.context.close()

    officer = member_page(browser, live_server, "huyen.tamduong")
    officer.goto(round_url)
    officer.fill("#id_decision_number", "125/QĐ-UBND")
    officer.fill("#id_decision_date", "2023-07-05")
    officer.click("#certify-round")
    officer.wait_for_selector(f"{row} .certificate-number")
    certificate = meeting.evaluation.certificates.get()
    officer.goto(f"{live_server.url}/danh-gia/giay-chung-nhan/")
    listed = officer.inner_text("#certificate-list")
    officer.screenshot(path=screenshot_dir / "council-6-certificate.png")
    product = meeting.dossier.registration.product
    officer.goto(f"{live_server.url}/san-pham/{product.pk}/")
    history = officer.inner_text("#evaluation-history")
    officer.locator("#product-history").scroll_into_view_if_needed()
    officer.screenshot(path=screenshot_dir / "council-7-product-history.png")
    officer.goto(f"{live_server.url}/danh-gia/ho-so/{meeting.dossier.pk}/")
    officer.screenshot(path=screenshot_dir / "council-8-dossier.png", full_page=True)
    officer.context.close()

    assert certificate.stars == 3
    assert certificate.number in listed
    assert "125/QĐ-UBND" in listed
    assert "Ủy ban nhân dân huyện Tam Đường" in listed
    assert certificate.number in history
    assert "57,00" in history
