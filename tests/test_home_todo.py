"""A commune's or a district's officer's home page starts with the dossiers waiting
on them, each linked, with the commune's 15-working-day deadline and the overdue
first; in a fixed number of queries, however many there are."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from evaluation import services
from evaluation.models import Dossier
from evaluation.todo import dossiers_waiting_on
from registry.models import ProductSet
from tests.evaluation_builders import (
    TOURISM_SET,
    binh_lu_officer,
    programme_2023,
    tam_duong_officer,
    waiting_dossier,
)
from tests.factories import TAM_DUONG, RegistrationFactory, commune

pytestmark = pytest.mark.django_db

REASON = "Thiếu ảnh nhà trình tường."


@pytest.fixture
def officer(lai_chau):
    programme_2023()
    return tam_duong_officer()


@pytest.fixture
def commune_officer(lai_chau):
    return binh_lu_officer()


def opened(officer, name, commune_name="Xã Bình Lư"):
    registration = RegistrationFactory(
        product__name=name,
        product__product_set=ProductSet.objects.get(number=TOURISM_SET),
        product__is_product_set_confirmed=True,
        product__producer__commune=commune(commune_name, TAM_DUONG),
    )
    return services.create_dossier(registration, officer)


def submitted(officer, name, received_on, commune_name="Xã Bình Lư"):
    dossier = opened(officer, name, commune_name)
    services.submit_dossier(dossier, officer, received_on=received_on)
    return Dossier.objects.get(pk=dossier.pk)


def assess(dossier, commune_officer):
    services.record_commune_assessment(
        dossier,
        commune_officer,
        local_origin="Bản người Dao đỏ.",
        local_labour="Hai mươi hộ.",
        idea_origin="Tổ hợp tác.",
        local_identity="Nhà trình tường.",
    )


@pytest.fixture
def dossiers(officer, commune_officer):
    """Bình Lư: one overdue assessment, one received today, one assessed, one
    returned, one sent up; one of Bản Bo; one Bình Lư draft."""
    today = timezone.localdate()
    overdue = submitted(officer, "Du lịch bản Sì Thâu Chải", date(2023, 4, 3))
    fresh = submitted(officer, "Du lịch bản Lao Chải", today)
    assessed = submitted(officer, "Du lịch bản Thèn Pả", date(2023, 4, 3))
    assess(assessed, commune_officer)
    returned = submitted(officer, "Du lịch bản Nà Khương", date(2023, 4, 3))
    services.return_dossier(returned, commune_officer, REASON)
    sent_up = waiting_dossier(officer, name="Du lịch bản Hồ Thầu")
    other = submitted(officer, "Du lịch bản Bo", date(2023, 4, 3), "Xã Bản Bo")
    draft = opened(officer, "Du lịch bản Nà Đông")
    return {
        "overdue": overdue,
        "fresh": fresh,
        "assessed": assessed,
        "returned": returned,
        "sent_up": sent_up,
        "other": other,
        "draft": draft,
    }


def names(rows):
    return [d.registration.product.name for d in rows]


def test_commune_officer_waits_on_assessments_overdue_first(commune_officer, dossiers):
    rows = dossiers_waiting_on(commune_officer)

    assert names(rows) == [
        "Du lịch bản Sì Thâu Chải",
        "Du lịch bản Lao Chải",
        "Du lịch bản Nà Khương",
        "Du lịch bản Thèn Pả",
    ]
    overdue, fresh = rows[0], rows[1]
    # The deadline as the dossier counts it: 15 working days from receipt.
    assert (overdue.is_overdue, overdue.due_on) == (True, date(2023, 4, 24))
    assert (fresh.is_overdue, fresh.due_on) == (
        False,
        dossiers["fresh"].assessment_due_on,
    )
    assert [(d.is_overdue, d.due_on) for d in rows[2:]] == [(False, None)] * 2


def test_district_officer_waits_on_drafts_returns_and_the_district_council(
    officer, dossiers
):
    rows = dossiers_waiting_on(officer)

    assert [(d.registration.product.name, str(d.next_step)) for d in rows] == [
        ("Du lịch bản Nà Đông", "Nộp hồ sơ lên xã"),
        ("Du lịch bản Nà Khương", "Nộp lại khi chủ thể đã bổ sung"),
        ("Du lịch bản Hồ Thầu", "Đưa vào đợt đánh giá của hội đồng huyện"),
    ]
    # A tourism product needs no samples.
    assert [d.lacks_samples for d in rows] == [False, False, False]


def test_commune_officers_home_lists_them_linked_with_the_overdue_marked(
    client, commune_officer, dossiers
):
    client.force_login(commune_officer)

    response = client.get(reverse("registry:home"))

    content = response.content.decode()
    panel = content.split('id="to-do"')[1].split('id="total-products"')[0]
    rows = panel.split("to-do-row")[1:]
    assert content.index('id="to-do"') < content.index('id="total-products"')
    assert len(rows) == 4
    assert "to-do-overdue" in rows[0] and "quá hạn" in rows[0]
    assert "hạn đánh giá 24/04/2023" in rows[0]
    assert not any("quá hạn" in row for row in rows[1:])
    for key in ("overdue", "fresh", "assessed", "returned"):
        url = reverse("evaluation:dossier-detail", args=[dossiers[key].pk])
        assert f'href="{url}"' in panel
    assert REASON in rows[2]
    for key in ("sent_up", "other", "draft"):
        name = dossiers[key].registration.product.name
        assert f">{name}</a>" not in panel


def test_officer_with_nothing_waiting_is_told_so(client, commune_officer):
    client.force_login(commune_officer)

    response = client.get(reverse("registry:home"))

    assert response.context["to_do"] == []
    assert "Không có hồ sơ nào chờ bạn xử lý." in response.content.decode()


def test_province_staff_home_has_no_to_do_panel(client, lai_chau):
    from tests.factories import UserFactory

    client.force_login(UserFactory(username="canbo.tinh"))

    response = client.get(reverse("registry:home"))

    assert "to_do" not in response.context
    assert 'id="to-do"' not in response.content.decode()


def home_queries(client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("registry:home"))
    assert response.status_code == 200
    return len(queries), len(response.context["to_do"])


def test_home_with_the_panel_answers_in_a_fixed_number_of_queries(
    client, officer, commune_officer
):
    submitted(officer, "Du lịch bản Sì Thâu Chải", date(2023, 4, 3))
    client.force_login(commune_officer)
    few = home_queries(client)
    for number in range(6):
        dossier = submitted(officer, f"Du lịch bản số {number}", date(2023, 4, 3))
        if number % 2:
            assess(dossier, commune_officer)
    many = home_queries(client)

    assert (few[1], many[1]) == (1, 7)
    assert many[0] == few[0] == HOME_WITH_PANEL_QUERIES


# The session, the user, the years, the panel's dossiers, the four counts and the
# districts' names, the user's and their groups' permissions (the menu).
HOME_WITH_PANEL_QUERIES = 11


def test_home_lists_the_first_ten_and_links_the_rest(client, officer, commune_officer):
    for number in range(12):
        submitted(officer, f"Du lịch bản số {number}", date(2023, 4, 3))
    client.force_login(commune_officer)

    response = client.get(reverse("registry:home"))

    content = response.content.decode()
    assert (len(response.context["to_do"]), response.context["to_do_more"]) == (10, 2)
    assert "và 2 hồ sơ khác: xem danh sách hồ sơ" in content
