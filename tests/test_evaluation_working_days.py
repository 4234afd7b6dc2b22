"""The commune's 15 working days: weekends and Vietnam's public holidays skipped,
and the dossier list's filter of the overdue ones."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from evaluation import services
from evaluation.models import add_working_days, latest_overdue_receipt
from registry.models import ProductSet
from tests.evaluation_builders import TOURISM_SET, programme_2023, tam_duong_officer
from tests.factories import TAM_DUONG, RegistrationFactory, commune


def test_add_working_days_skips_tet_2023():
    # Thursday 19/01/2023; Tết 2023 is Sunday 22/01, and the days off run from
    # Friday 20/01 to Thursday 26/01. Working days: 27/01 (1), 30/01 to 03/02 (6),
    # 06/02 to 10/02 (11), 13/02 to 16/02 (15).
    due = add_working_days(date(2023, 1, 19), 15)

    assert due == date(2023, 2, 16)


def test_add_working_days_skips_30_4_and_1_5_2024_and_counts_the_saturday_worked():
    # Friday 26/04/2024; off Monday 29/04 (in lieu of Saturday 04/05, worked),
    # 30/04 and 01/05. Working days: 02/05, 03/05, Saturday 04/05 (3), 06/05 to
    # 10/05 (8), 13/05 to 17/05 (13), 20/05, 21/05 (15).
    due = add_working_days(date(2024, 4, 26), 15)

    assert due == date(2024, 5, 21)


def test_add_working_days_skips_national_day_2024():
    # Friday 30/08/2024; 02/09 and 03/09 are off. Working days: 04/09 to 06/09 (3),
    # 09/09 to 13/09 (8), 16/09 to 20/09 (13), 23/09, 24/09 (15).
    due = add_working_days(date(2024, 8, 30), 15)

    assert due == date(2024, 9, 24)


def test_add_working_days_counts_only_weekends_out_of_an_ordinary_march():
    due = add_working_days(date(2023, 3, 1), 15)

    assert due == date(2023, 3, 22)


def test_latest_overdue_receipt_after_tet_2023():
    # Everything received from 19/01 to 26/01/2023 is due on 16/02/2023 (the days
    # between are holidays); on 17/02 those are overdue and 27/01 (due 17/02) is not.
    cutoff = latest_overdue_receipt(date(2023, 2, 17))

    assert cutoff == date(2023, 1, 26)
    assert add_working_days(date(2023, 1, 27), 15) == date(2023, 2, 17)


# -- through the dossier ---------------------------------------------------------------


@pytest.fixture
def officer(lai_chau):
    programme_2023()
    return tam_duong_officer()


def submitted_dossier(officer, name, received_on):
    registration = RegistrationFactory(
        product__name=name,
        product__product_set=ProductSet.objects.get(number=TOURISM_SET),
        product__is_product_set_confirmed=True,
        product__producer__commune=commune("Xã Bình Lư", TAM_DUONG),
    )
    dossier = services.create_dossier(registration, officer)
    return services.submit_dossier(dossier, officer, received_on=received_on)


@pytest.mark.django_db
def test_dossier_received_before_tet_is_due_after_the_holidays(officer, client):
    dossier = submitted_dossier(
        officer, "Du lịch cộng đồng bản Sin Suối Hồ", date(2023, 1, 19)
    )
    client.force_login(officer)

    response = client.get(reverse("evaluation:dossier-detail", args=[dossier.pk]))

    assert dossier.assessment_due_on == date(2023, 2, 16)
    assert dossier.is_assessment_overdue(today=date(2023, 2, 16)) is False
    assert dossier.is_assessment_overdue(today=date(2023, 2, 17)) is True
    assert "hạn đánh giá (15 ngày làm việc): 16/02/2023" in response.content.decode()


def overdue_list(client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("evaluation:dossier-list"), {"overdue": "1"})
    assert response.status_code == 200
    names = [d.registration.product.name for d in response.context["dossiers"]]
    return names, len(queries)


@pytest.mark.django_db
def test_dossier_list_overdue_filter_keeps_only_the_overdue(officer, client):
    submitted_dossier(officer, "Du lịch cộng đồng bản Lao Chải", date(2023, 4, 3))
    submitted_dossier(officer, "Du lịch cộng đồng bản Thèn Pả", date.today())
    client.force_login(officer)

    names, few = overdue_list(client)
    submitted_dossier(officer, "Du lịch cộng đồng bản Nà Luồng", date(2023, 9, 4))
    submitted_dossier(officer, "Du lịch cộng đồng bản Hon", date(2024, 1, 2))
    more, many = overdue_list(client)

    assert names == ["Du lịch cộng đồng bản Lao Chải"]
    assert more == [
        "Du lịch cộng đồng bản Lao Chải",
        "Du lịch cộng đồng bản Nà Luồng",
        "Du lịch cộng đồng bản Hon",
    ]
    # Session, user, the page's count and rows, the menu's two permission look-ups:
    # whatever the number of rows.
    assert few == many == 6


@pytest.mark.django_db
def test_dossier_list_overdue_filter_leaves_out_an_assessed_dossier(officer, client):
    dossier = submitted_dossier(
        officer, "Du lịch cộng đồng bản Sì Thâu", date(2023, 4, 3)
    )
    services.record_commune_assessment(
        dossier,
        officer,
        local_origin="Bản người Dao đỏ, nguyên liệu tại chỗ.",
        local_labour="Hai mươi hộ trong bản làm dịch vụ.",
        idea_origin="Ý tưởng của tổ hợp tác trong bản.",
        local_identity="Nhà trình tường, lễ cấp sắc.",
        assessed_on=date(2023, 5, 4),
    )
    client.force_login(officer)

    names, _queries = overdue_list(client)
    unfiltered = client.get(reverse("evaluation:dossier-list"))

    assert names == []
    assert len(unfiltered.context["dossiers"]) == 1
    assert 'id="f-overdue" name="overdue" value="1">' in unfiltered.content.decode()
