"""The product's evaluation history: the product's page shows the newest 100 audit
lines and says how many there are, linking to a page of them all (100 a page);
both pages make the same queries whatever the number of lines. A product's
history across two programme years and two tiers lists both, in order."""

import re
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from evaluation import services
from evaluation.enums import Outcome
from ocop import audit
from registry.enums import RegistrationKind, Role
from registry.models import ProductSet
from tests.evaluation_builders import TOURISM_SET, Meeting, draft_dossier
from tests.factories import (
    LAI_CHAU_CITY,
    TAM_DUONG,
    ProducerFactory,
    ProductFactory,
    RegistrationFactory,
    UserFactory,
    commune,
    district,
)
from tests.factories_evaluation import (
    ProgrammeYearFactory,
    account,
    council_with_members,
    load_sheets,
    prepared_dossier,
    rulebook,
    score_by_council,
)
from tests.test_evaluation_views import second_options

pytestmark = pytest.mark.django_db

EVIDENCE = "Thêm minh chứng"


def text(html):
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def audit_lines(response):
    """The texts of the audit list's lines, top to bottom."""
    html = response.content.decode()
    part = html.split('id="history-audit"')[1].split("</ul>")[0]
    return [text(li) for li in re.findall(r"<li[^>]*>(.*?)</li>", part, re.S)]


@pytest.fixture
def officer(lai_chau):
    return UserFactory(
        username="canbo.tamduong",
        role=Role.DISTRICT_OFFICER,
        district=district(TAM_DUONG),
    )


def product_with_lines(officer, count):
    """A draft dossier's product with ``count`` audit lines: its creation, then
    evidence added ``count - 1`` times, numbered in the reason."""
    dossier = draft_dossier(officer)
    for number in range(1, count):
        audit.record(
            officer,
            "evaluation.dossier.evidence_added",
            dossier,
            reason=f"Minh chứng số {number}",
        )
    return dossier.registration.product


def product_page(client, product):
    return client.get(reverse("registry:product-detail", args=[product.pk]))


def history_page(client, product, page=None):
    url = reverse("evaluation:product-history", args=[product.pk])
    return client.get(url, {"page": page} if page else {})


# -- the newest 100 on the product's page -------------------------------------------


def test_product_page_shows_the_newest_100_lines_and_says_of_how_many(client, officer):
    product = product_with_lines(officer, 130)
    client.force_login(officer)

    response = product_page(client, product)

    lines = audit_lines(response)
    html = response.content.decode()
    assert len(lines) == 100
    # Newest first: evidence 129 down to 30; 29 to 1 and the creation are left out.
    assert lines[0].endswith(f"{EVIDENCE} Minh chứng số 129")
    assert lines[-1].endswith(f"{EVIDENCE} Minh chứng số 30")
    more = text(html.split('id="history-audit-more">')[1].split("</p>")[0])
    assert more == "Hiển thị 100 dòng mới nhất trong 130 · Xem toàn bộ nhật ký"
    assert (
        f'href="/danh-gia/san-pham/{product.pk}/nhat-ky/" id="history-audit-all"'
        in html
    )


def test_product_page_with_100_lines_shows_them_all_and_no_note(client, officer):
    product = product_with_lines(officer, 100)
    client.force_login(officer)

    response = product_page(client, product)

    lines = audit_lines(response)
    assert len(lines) == 100
    assert lines[-1].endswith("Lập hồ sơ (— → Đang lập)")
    assert 'id="history-audit-more"' not in response.content.decode()


def test_product_page_queries_do_not_grow_with_the_lines(client, officer):
    product = product_with_lines(officer, 5)
    client.force_login(officer)
    product_page(client, product)
    with CaptureQueriesContext(connection) as five:
        product_page(client, product)
    dossier = product.registrations.get().dossier
    for _number in range(5, 250):
        audit.record(officer, "evaluation.dossier.evidence_added", dossier)

    with CaptureQueriesContext(connection) as two_hundred_fifty:
        response = product_page(client, product)

    assert len(audit_lines(response)) == 100
    assert "trong 250" in response.content.decode()
    assert len(two_hundred_fifty) == len(five)


# -- every line on the history page -------------------------------------------------


def test_history_page_shows_every_line_100_a_page(client, officer):
    product = product_with_lines(officer, 130)
    client.force_login(officer)

    first = history_page(client, product)
    second = history_page(client, product, page=2)

    first_lines, second_lines = audit_lines(first), audit_lines(second)
    assert (first.status_code, second.status_code) == (200, 200)
    assert (len(first_lines), len(second_lines)) == (100, 30)
    assert first_lines[0].endswith(f"{EVIDENCE} Minh chứng số 129")
    assert first_lines[-1].endswith(f"{EVIDENCE} Minh chứng số 30")
    assert second_lines[0].endswith(f"{EVIDENCE} Minh chứng số 29")
    assert second_lines[-1].endswith("Lập hồ sơ (— → Đang lập)")
    assert text(
        first.content.decode().split('id="history-count">')[1].split("</p>")[0]
    ) == ("130 dòng, mới nhất trước · trang 1/2")
    assert product.name in text(first.content.decode())


def test_history_page_queries_do_not_grow_with_the_lines(client, officer):
    product = product_with_lines(officer, 130)
    client.force_login(officer)
    history_page(client, product)
    with CaptureQueriesContext(connection) as two_pages:
        history_page(client, product)
    dossier = product.registrations.get().dossier
    for _number in range(130, 330):
        audit.record(officer, "evaluation.dossier.evidence_added", dossier)

    with CaptureQueriesContext(connection) as four_pages:
        response = history_page(client, product, page=4)

    assert len(audit_lines(response)) == 30
    assert len(four_pages) == len(two_pages)


def test_history_page_is_only_for_whoever_sees_the_product(client, officer):
    product = product_with_lines(officer, 3)
    city = account(
        "huyen.thanhpho", Role.DISTRICT_OFFICER, district=district(LAI_CHAU_CITY)
    )

    anonymous = history_page(client, product)
    client.force_login(city)
    elsewhere = history_page(client, product)

    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith("/dang-nhap/")
    assert elsewhere.status_code == 404


def test_history_page_keeps_a_provisional_result_to_itself_as_the_product_page(
    client, lai_chau
):
    """The chair has not submitted: the computation's line does not say the result,
    on either page."""
    meeting = Meeting()
    _chair, vice, member = meeting.scorers()
    for user in (vice, member):
        services.submit_member_score(
            meeting.evaluation, user, second_options(meeting.evaluation)
        )
    services.compute_result(meeting.evaluation, meeting.chair)
    product = meeting.dossier.registration.product
    client.force_login(meeting.chair)

    on_product_page = audit_lines(product_page(client, product))
    on_history_page = audit_lines(history_page(client, product))

    computed = [line for line in on_history_page if "Tính kết quả" in line]
    assert on_history_page == on_product_page
    assert [line.split(" · ", 2)[2] for line in computed] == [
        "Tính kết quả của hội đồng"
    ]


# -- two years, two tiers -----------------------------------------------------------


def rows(response):
    """The texts of the history's table of dossiers and evaluations, in order."""
    html = response.content.decode()
    body = html.split('id="history-evaluations"')[1].split("</tbody>")[0]
    return [text(row) for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)[1:]]


def test_history_of_a_product_evaluated_at_district_and_province_then_again_later(
    client, lai_chau
):
    """2023 under 148/QĐ-TTg: the Tam Đường council scores (72 + 70 + 69) / 3 =
    70.33, 4★, refers it; the province's council (74 + 73 + 72 + 71) / 4 = 72.50,
    4★, certified on 10/08/2023 (expires 10/08/2026). 2026 under 26/2026/QĐ-TTg:
    re-evaluated in its window (filed 02/03/2026), the province's council
    (80 + 81 + 82) / 3 = 81.00, 4★, certified."""
    sets = load_sheets(TOURISM_SET)
    book_2023, book_2026 = rulebook("148-2023"), rulebook("26-2026")
    ProgrammeYearFactory(year=2023, rulebook=book_2023)
    ProgrammeYearFactory(year=2026, rulebook=book_2026)
    tam_duong = district(TAM_DUONG)
    staff = account("tinh.lichsu", Role.PROVINCE_STAFF)
    officer = account("huyen.lichsu", Role.DISTRICT_OFFICER, district=tam_duong)
    binh_lu = commune("Xã Bình Lư", TAM_DUONG)
    commune_officer = account("xa.lichsu", Role.COMMUNE_OFFICER, commune=binh_lu)
    product = ProductFactory(
        name="Du lịch cộng đồng bản Sin Suối Hồ",
        producer=ProducerFactory(commune=binh_lu),
        product_set=sets[TOURISM_SET],
        is_product_set_confirmed=True,
    )
    assert product.product_set == ProductSet.objects.get(number=TOURISM_SET)

    first = prepared_dossier(
        RegistrationFactory(product=product, year=2023),
        officer,
        commune_officer,
        received_on=date(2023, 4, 3),
    )
    district_tier = book_2023.tiers.get(order=2)
    council, members = council_with_members(
        district_tier, 3, district=tam_duong, prefix="huyen."
    )
    district_round = services.open_round(
        district_tier,
        officer,
        council=council,
        year=2023,
        name="Đợt 1 năm 2023 huyện Tam Đường",
        closes_on=date(2023, 6, 30),
        district=tam_duong,
    )
    first_evaluation = services.add_to_round(district_round, first, officer)
    score_by_council(first_evaluation, members, [72, 70, 69], level=4)
    services.close_round(district_round, members[0])
    services.refer_round(district_round, staff)

    province_tier = book_2023.tiers.get(order=3)
    council, members = council_with_members(province_tier, 4, prefix="tinh.")
    province_round = services.open_round(
        province_tier,
        staff,
        council=council,
        year=2023,
        name="Đợt 1 năm 2023 cấp tỉnh",
        closes_on=date(2023, 7, 31),
    )
    first.refresh_from_db()
    evaluation = services.add_to_round(province_round, first, staff)
    score_by_council(evaluation, members, [74, 73, 72, 71], level=4)
    services.close_round(province_round, members[0])
    (certificate,) = services.certify(
        province_round,
        staff,
        decision_number="1234/QĐ-UBND",
        decision_date=date(2023, 8, 10),
    )

    again = prepared_dossier(
        RegistrationFactory(
            product=product,
            year=2026,
            kind=RegistrationKind.RE_EVALUATION,
            previous_stars=4,
            previous_year=2023,
        ),
        staff,
        commune_officer,
        received_on=date(2026, 3, 2),
    )
    tier_2026 = book_2026.tiers.get(order=2)
    council, members = council_with_members(tier_2026, 3, prefix="tinh2026.")
    council.year = 2026
    council.save(update_fields=["year"])
    round_2026 = services.open_round(
        tier_2026,
        staff,
        council=council,
        year=2026,
        name="Đợt 1 năm 2026 cấp tỉnh",
        closes_on=date(2026, 6, 30),
    )
    evaluation_2026 = services.add_to_round(round_2026, again, staff)
    score_by_council(evaluation_2026, members, [80, 81, 82], level=4)
    services.close_round(round_2026, members[0])
    client.force_login(staff)

    response = product_page(client, product)

    evaluation_2026.refresh_from_db()
    # Referred when the test ran.
    today = f"{timezone.localdate():%d/%m/%Y}"
    assert (evaluation_2026.score, evaluation_2026.stars) == (Decimal("81.00"), 4)
    assert evaluation_2026.outcome == Outcome.CERTIFIED
    assert again.follows == certificate
    # The log, newest first: the 2026 dossier's moves, then the province's and the
    # district's of 2023.
    entries = response.context["entries"]
    assert [
        entry.object_id
        for entry in entries
        if entry.action == "evaluation.dossier.added_to_round"
    ] == [str(again.pk), str(first.pk), str(first.pk)]
    assert [
        (entry.object_id, entry.to_state)
        for entry in entries
        if entry.action == "evaluation.result.computed"
    ] == [
        (str(evaluation_2026.pk), Outcome.CERTIFIED),
        (str(evaluation.pk), Outcome.CERTIFIED),
        (str(first_evaluation.pk), Outcome.REFERRED),
    ]
    assert [e.action for e in entries].index("evaluation.certificate.issued") < [
        e.action for e in entries
    ].index("evaluation.dossier.referred")
    assert rows(response) == [
        "2026 Hồ sơ đánh giá lại · Đang đánh giá · Hội đồng đánh giá, phân hạng cấp "
        "tỉnh",
        "Hội đồng đánh giá, phân hạng cấp tỉnh Đợt 1 năm 2026 cấp tỉnh "
        "26/2026/QĐ-TTg 81,00 80 · 81 · 82 4★ Công nhận",
        "2023 Hồ sơ đăng ký mới · Đã công nhận · Hội đồng đánh giá, phân hạng cấp tỉnh",
        "Hội đồng đánh giá, phân hạng cấp huyện Đợt 1 năm 2023 huyện Tam Đường "
        f"148/QĐ-TTg 70,33 72 · 70 · 69 4★ Chuyển cấp trên (chuyển cấp trên {today})",
        "Hội đồng đánh giá, phân hạng cấp tỉnh Đợt 1 năm 2023 cấp tỉnh 148/QĐ-TTg "
        "72,50 74 · 73 · 72 · 71 4★ Công nhận",
    ]
