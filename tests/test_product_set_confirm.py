"""The product set on the product's page: proposed from the name, confirmed or
changed by whoever may edit the product, through the one service that keeps the
product's open dossiers on the sheet of their set."""

from datetime import date

import pytest
from django.urls import reverse

from evaluation import services
from evaluation.enums import DossierState
from evaluation.sheets import latest_sheet, load_scoring_sheets, sheet_spec
from ocop.models import AuditEntry
from registry.enums import Role
from registry.models import ProductSet
from tests.evaluation_builders import (
    TOURISM_SET,
    Meeting,
    binh_lu_officer,
    draft_dossier,
    tam_duong_officer,
)
from tests.factories import LAI_CHAU_CITY, UserFactory, district
from tests.factories_evaluation import load_sheets

pytestmark = pytest.mark.django_db

TEA = 11
HONEY = 4
EDITION = "26-2026"


@pytest.fixture
def officer(lai_chau):
    return tam_duong_officer()


@pytest.fixture
def draft(officer):
    """A Bình Lư tourism product's 2023 draft dossier, its set not confirmed."""
    return draft_dossier(officer)


@pytest.fixture
def tea(lai_chau):
    return load_sheets(TEA)[TEA]


def page(product):
    return reverse("registry:product-detail", args=[product.pk])


def confirm(client, product, product_set, **kwargs):
    return client.post(
        reverse("evaluation:product-set-confirm", args=[product.pk]),
        {"product_set": product_set.pk},
        **kwargs,
    )


def said(response):
    return [(m.level_tag, m.message) for m in response.context["messages"]]


def entries(action):
    return list(AuditEntry.objects.filter(action=action).order_by("id"))


def tourism():
    return ProductSet.objects.get(number=TOURISM_SET)


def test_product_page_proposes_the_set_from_the_name(client, officer, draft):
    product = draft.registration.product
    client.force_login(officer)

    response = client.get(page(product))

    html = response.content.decode()
    assert response.status_code == 200
    assert (
        "Đề xuất theo tên sản phẩm: bộ số 26, Dịch vụ du lịch cộng đồng, du lịch "
        "sinh thái và điểm du lịch (theo từ “du lich”)."
    ) in html
    assert 'id="product-set-form"' in html
    assert f'<option value="{tourism().pk}" selected>' in html


def test_officer_confirms_the_proposed_set_on_the_product_page(client, officer, draft):
    product = draft.registration.product
    client.force_login(officer)

    response = confirm(client, product, tourism(), follow=True)

    product.refresh_from_db()
    draft.refresh_from_db()
    assert response.redirect_chain == [(page(product), 302)]
    assert said(response) == [
        (
            "success",
            "Đã xác nhận bộ sản phẩm số 26; 1 hồ sơ đang mở chuyển sang phiếu chấm "
            "của bộ này.",
        )
    ]
    assert (product.product_set, product.is_product_set_confirmed) == (
        tourism(),
        True,
    )
    assert draft.sheet == latest_sheet(tourism(), EDITION)
    (moved,) = entries("evaluation.dossier.sheet_changed")
    assert moved.object_id == str(draft.pk)
    assert moved.data["to_sheet"] == draft.sheet_id
    (confirmed,) = entries("registry.product.product_set_confirmed")
    assert confirmed.data == {
        "from": None,
        "to": tourism().pk,
        "number": 26,
        "dossiers": [draft.pk],
    }


def test_confirming_the_confirmed_set_again_changes_nothing(client, officer, draft):
    product = draft.registration.product
    client.force_login(officer)
    confirm(client, product, tourism(), follow=True)

    again = confirm(client, product, tourism(), follow=True)

    assert said(again) == [
        ("info", "Bộ sản phẩm này đã được xác nhận từ trước: không có gì thay đổi.")
    ]
    assert len(entries("registry.product.product_set_confirmed")) == 1


def self_assess(dossier, officer):
    spec = sheet_spec(dossier.sheet)
    chosen = [leaf.options[0].id for leaf in spec.leaves()][:5]
    services.save_self_assessment(dossier, officer, chosen)
    return chosen


def test_changing_the_set_moves_a_draft_and_clears_its_self_assessment(
    client, officer, draft, tea
):
    product = draft.registration.product
    services.confirm_product_set(product, officer, tourism())
    draft.refresh_from_db()
    old_sheet = draft.sheet
    chosen = self_assess(draft, officer)
    client.force_login(officer)

    response = confirm(client, product, tea, follow=True)

    draft.refresh_from_db()
    product.refresh_from_db()
    assert product.product_set == tea
    assert draft.sheet == latest_sheet(tea, EDITION)
    assert draft.self_assessment == []
    (cleared,) = entries("evaluation.dossier.self_assessment_cleared")
    assert cleared.object_id == str(draft.pk)
    assert cleared.data == {
        "product_set": TEA,
        "from_sheet": old_sheet.pk,
        "to_sheet": draft.sheet_id,
        "cleared_selections": len(chosen),
        "evaluations": [],
    }
    history = client.get(
        reverse("evaluation:dossier-detail", args=[draft.pk])
    ).content.decode()
    assert "Đổi bộ sản phẩm: xoá phiếu tự đánh giá trên phiếu cũ" in history
    assert said(response) == [
        (
            "success",
            "Đã xác nhận bộ sản phẩm số 11; 1 hồ sơ đang mở chuyển sang phiếu chấm "
            "của bộ này. Phiếu tự đánh giá của 1 hồ sơ, làm trên phiếu cũ, đã bị xoá: "
            "cần làm lại.",
        )
    ]


def test_changing_the_set_moves_a_submitted_dossier_too(client, officer, draft, tea):
    product = draft.registration.product
    services.confirm_product_set(product, officer, tourism())
    draft.refresh_from_db()
    self_assess(draft, officer)
    services.submit_dossier(draft, officer, received_on=date(2023, 4, 3))
    client.force_login(officer)

    confirm(client, product, tea)

    draft.refresh_from_db()
    assert draft.state == DossierState.SUBMITTED
    assert draft.sheet == latest_sheet(tea, EDITION)
    assert draft.self_assessment == []


@pytest.fixture
def meeting(lai_chau):
    """A Tam Đường tourism product in an open district round, not yet scored."""
    return Meeting()


def test_changing_the_set_moves_an_unscored_evaluation_of_an_open_round(
    client, meeting, tea
):
    product = meeting.dossier.registration.product
    client.force_login(meeting.officer)

    response = confirm(client, product, tea)

    meeting.evaluation.refresh_from_db()
    meeting.dossier.refresh_from_db()
    tea_sheet = latest_sheet(tea, EDITION)
    assert response.status_code == 302
    assert (meeting.evaluation.sheet, meeting.dossier.sheet) == (tea_sheet, tea_sheet)
    (moved,) = entries("evaluation.dossier.sheet_changed")
    assert moved.data["evaluations"] == [meeting.evaluation.pk]


def test_changing_the_set_of_a_dossier_a_member_has_scored_is_refused_at_the_field(
    client, meeting, tea
):
    product = meeting.dossier.registration.product
    member = meeting.scorers()[1]
    spec = sheet_spec(meeting.evaluation.sheet)
    services.save_member_score(
        meeting.evaluation, member, [spec.leaves()[0].options[0].id]
    )
    client.force_login(meeting.officer)

    response = confirm(client, product, tea)

    message = (
        "Hồ sơ năm 2023 của sản phẩm đã được hội đồng chấm điểm (Đợt 1 năm 2023 "
        "huyện Tam Đường) trên phiếu của bộ sản phẩm số 26: không đổi bộ sản phẩm "
        "được nữa."
    )
    product.refresh_from_db()
    meeting.evaluation.refresh_from_db()
    assert response.status_code == 400
    assert response.context["product_set_form"].errors == {"product_set": [message]}
    assert f'<div class="invalid-feedback d-block">{message}</div>' in (
        response.content.decode()
    )
    assert product.product_set == tourism()
    assert meeting.evaluation.sheet.product_set == tourism()
    assert entries("registry.product.product_set_confirmed") == []


def test_changing_the_set_in_a_round_to_a_sheet_failing_its_checks_is_refused(
    client, meeting
):
    # Set 4 (honey) as printed, without the corrections recorded.
    load_scoring_sheets(numbers={HONEY})
    honey = ProductSet.objects.get(number=HONEY)
    product = meeting.dossier.registration.product
    client.force_login(meeting.officer)

    response = confirm(client, product, honey)

    meeting.dossier.refresh_from_db()
    assert response.status_code == 400
    assert response.context["product_set_form"].errors == {
        "product_set": [
            "Hồ sơ năm 2023 đang ở Đợt 1 năm 2023 huyện Tam Đường nhưng phiếu chấm "
            "của bộ sản phẩm mới chưa dùng được để chấm (chưa có, hoặc chưa đạt kiểm "
            "tra): chưa đổi bộ sản phẩm được."
        ]
    }
    assert meeting.dossier.sheet.product_set == tourism()


def test_commune_officer_of_the_product_confirms_its_set(client, draft):
    commune_officer = binh_lu_officer()
    product = draft.registration.product
    client.force_login(commune_officer)

    response = confirm(client, product, tourism())

    product.refresh_from_db()
    assert response.status_code == 302
    assert product.is_product_set_confirmed is True


def test_council_member_may_not_confirm_a_product_set(client, meeting, tea):
    # A member of the council scoring the product sees its page, not the form.
    member = meeting.scorers()[1]
    product = meeting.dossier.registration.product
    client.force_login(member)

    shown = client.get(page(product))
    response = confirm(client, product, tea)

    product.refresh_from_db()
    html = shown.content.decode()
    assert shown.status_code == 200
    assert 'id="product-set-form"' not in html
    assert "Đề xuất theo tên sản phẩm: bộ số 26" in html
    assert response.status_code == 403
    assert product.product_set == tourism()


def test_officer_of_another_district_may_not_confirm_a_product_set(client, draft):
    other = UserFactory(
        username="canbo.thanhpho",
        role=Role.DISTRICT_OFFICER,
        district=district(LAI_CHAU_CITY),
    )
    product = draft.registration.product
    client.force_login(other)

    response = confirm(client, product, tourism())

    product.refresh_from_db()
    assert response.status_code == 404
    assert product.product_set is None


def test_product_form_no_longer_changes_the_product_set(client, officer, draft, tea):
    product = draft.registration.product
    services.confirm_product_set(product, officer, tourism())
    client.force_login(officer)
    url = reverse("registry:product-update", args=[product.pk])

    form = client.get(url).context["form"]
    response = client.post(
        url,
        {
            "producer": product.producer_id,
            "name": product.name,
            "product_set": tea.pk,
            "code": "",
            "description": "",
        },
    )

    product.refresh_from_db()
    draft.refresh_from_db()
    assert list(form.fields) == ["producer", "name", "code", "description"]
    assert response.status_code == 302
    assert product.product_set == tourism()
    assert draft.sheet.product_set == tourism()
