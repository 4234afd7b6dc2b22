"""The round page on a phone (390×844): each product of the results table reads
as a card of its own, its cells labelled, within the screen's width; the chair's,
the members' and the officer's buttons are in reach without scrolling sideways.
On a desktop the table stays a table."""

import pytest

from evaluation import services
from tests.conftest import log_in
from tests.evaluation_builders import Meeting, waiting_dossier
from tests.test_browser_scoring_phone import DESKTOP, PHONE
from tests.test_evaluation_views import second_options

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def open_page(browser, live_server, user, viewport=PHONE):
    user.set_password("ocop-demo-2023")
    user.save(update_fields=["password"])
    page = browser.new_context(locale="vi-VN", viewport=viewport).new_page()
    page.set_default_timeout(15_000)
    page.base_url = live_server.url
    page.on("dialog", lambda dialog: dialog.accept())
    log_in(page, user.username)
    return page


def look(page, url, screenshot_dir, name):
    """The page's width against the screen's, once loaded and photographed."""
    page.goto(url)
    page.screenshot(path=screenshot_dir / f"round-phone-{name}.png", full_page=True)
    return page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")


def in_reach(page, selector):
    """Every element matched lies within the screen's width."""
    boxes = [e.bounding_box() for e in page.locator(selector).all()]
    width = page.viewport_size["width"]
    return bool(boxes) and all(
        box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width
        for box in boxes
    )


def card_width(page, evaluation, cell):
    return page.locator(f"#evaluation-{evaluation.pk} td.{cell}").bounding_box()[
        "width"
    ]


def test_round_page_on_a_phone_fits_its_width_with_every_button_in_reach(
    browser, live_server, screenshot_dir, lai_chau
):
    meeting = Meeting()
    chair, vice, member = meeting.scorers()
    second = services.add_to_round(
        meeting.round,
        waiting_dossier(
            meeting.officer, name="Du lịch cộng đồng bản Lao Chải, xã Bản Giang"
        ),
        meeting.officer,
    )
    waiting_dossier(meeting.officer, name="Du lịch cộng đồng bản Giang Ma")
    services.record_precheck(second, chair, "Hồ sơ đầy đủ.")
    for user in (chair, vice):
        services.submit_member_score(
            meeting.evaluation, user, second_options(meeting.evaluation)
        )
    services.submit_member_score(second, vice, second_options(second, ("C",)))
    for evaluation in (meeting.evaluation, second):
        services.compute_result(evaluation, chair)
    url = f"{live_server.url}/danh-gia/dot/{meeting.round.pk}/"

    chair_page = open_page(browser, live_server, chair)
    chair_widths = look(chair_page, url, screenshot_dir, "1-chair")
    chair_reach = [
        in_reach(chair_page, s)
        for s in ("#compute-results", "#close-round", ".reject-link", ".score-link")
    ]
    chair_card = card_width(chair_page, meeting.evaluation, "result-outcome")
    member_page = open_page(browser, live_server, member)
    member_widths = look(member_page, url, screenshot_dir, "2-member")
    member_reach = [
        in_reach(member_page, s) for s in (".score-link", "#round-results summary")
    ]
    officer_page = open_page(browser, live_server, meeting.officer)
    officer_widths = look(officer_page, url, screenshot_dir, "3-officer-open")
    officer_reach = [
        in_reach(officer_page, s)
        for s in ("#compute-results", "#add-dossiers button", ".precheck-link, td a")
    ]

    services.submit_member_score(
        meeting.evaluation, member, second_options(meeting.evaluation)
    )
    for user in (chair, member):
        services.submit_member_score(second, user, second_options(second, ("C",)))
    services.close_round(meeting.round, chair)
    closed_widths = look(officer_page, url, screenshot_dir, "4-officer-closed")
    closed_reach = [
        in_reach(officer_page, s)
        for s in ("#refer-round", "#certify-form input:visible", "#certify-round")
    ]
    officer_page.click("#refer-round")
    officer_page.wait_for_selector("#refer-done")
    officer_page.screenshot(
        path=screenshot_dir / "round-phone-6-officer-referred.png", full_page=True
    )
    referred = (
        officer_page.inner_text(".alert-success"),
        officer_page.inner_text("#refer-done-note"),
        officer_page.locator("#refer-round").count(),
        in_reach(officer_page, "#refer-done"),
    )
    desktop = open_page(browser, live_server, meeting.officer, DESKTOP)
    desktop_widths = look(desktop, url, screenshot_dir, "5-desktop")
    headings = desktop.locator("#round-results thead th").all()

    for widths in (
        chair_widths,
        member_widths,
        officer_widths,
        closed_widths,
        desktop_widths,
    ):
        assert widths[0] <= widths[1]
    assert chair_reach == [True, True, True, True]
    assert member_reach == [True, True]
    assert officer_reach == [True, True, True]
    assert closed_reach == [True, True, True]
    assert referred == (
        "Đã chuyển 1 hồ sơ lên cấp trên.",
        "Đã chuyển hết: 1 sản phẩm đề nghị cấp trên đã được chuyển.",
        0,
        True,
    )
    # A card as wide as the screen less the page's margins, not a table's column.
    assert chair_card > 300
    assert [h.is_visible() for h in headings] == [True] * 7
    assert card_width(desktop, second, "result-outcome") < 400
    for page in (chair_page, member_page, officer_page, desktop):
        page.context.close()
