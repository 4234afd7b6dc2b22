"""The admin: .xlsx exports of producers and products, and the read-only audit log."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from ocop import audit
from ocop.models import AuditEntry
from registry.admin import ProducerResource, ProductResource
from tests.factories import ProductFactory, RegistrationFactory, UserFactory

pytestmark = pytest.mark.django_db


def sheet_rows(dataset):
    workbook = load_workbook(io.BytesIO(dataset.export("xlsx")))
    return [list(row) for row in workbook.active.iter_rows(values_only=True)]


def test_product_export_to_xlsx_names_producer_and_years(lai_chau):
    registration = RegistrationFactory(
        product__name="Đông trùng hạ thảo", product__producer__phone="0912345678"
    )
    RegistrationFactory(product=registration.product, year=2024)

    rows = sheet_rows(ProductResource().export())

    assert rows[0] == [
        "ID",
        "Tên sản phẩm",
        "Chủ thể",
        "Điện thoại",
        "Bộ sản phẩm",
        "Mã sản phẩm",
        "Năm đăng ký",
    ]
    product = registration.product
    assert rows[1][1:4] == ["Đông trùng hạ thảo", product.producer.name, "0912345678"]
    assert rows[1][6] == "2024, 2023"


def test_producer_export_to_xlsx_has_commune_and_district(lai_chau):
    producer = ProductFactory().producer

    rows = sheet_rows(ProducerResource().export())

    header = rows[0]
    row = dict(zip(header, rows[1], strict=True))
    assert row["Tên chủ thể"] == producer.name
    assert row["Loại hình"] == "Hợp tác xã"
    assert row["Xã"] == producer.commune.name
    assert row["Huyện"] == "Huyện Tam Đường"


def test_admin_offers_xlsx_export_of_products(lai_chau, admin_client):
    ProductFactory()

    response = admin_client.post(
        reverse("admin:registry_product_export"),
        {"format": "0", "resource": "0", "productresource_name": "on"},
    )

    assert response.status_code == 200
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )


def test_audit_log_is_read_only_in_admin(lai_chau, admin_client):
    product = ProductFactory()
    entry = audit.record(UserFactory(), "registry.product.created", product)

    listing = admin_client.get(reverse("admin:ocop_auditentry_changelist"))
    adding = admin_client.get(reverse("admin:ocop_auditentry_add"))
    deleting = admin_client.get(
        reverse("admin:ocop_auditentry_delete", args=[entry.pk])
    )

    assert listing.status_code == 200
    assert product.name in listing.content.decode()
    assert adding.status_code == 403
    assert deleting.status_code == 403
    assert AuditEntry.objects.count() == 1


def test_audit_record_keeps_object_and_actor(lai_chau):
    user = UserFactory()
    product = ProductFactory(name="Miến dong")

    entry = audit.record(
        user,
        "registry.product.updated",
        product,
        from_state="a",
        to_state="b",
        reason="sửa tên",
        data={"changed": {"name": ["Mien", "Miến dong"]}},
    )

    entry.refresh_from_db()
    assert entry.target == product
    assert (entry.actor, entry.object_repr) == (user, "Miến dong")
    assert (entry.from_state, entry.to_state, entry.reason) == ("a", "b", "sửa tên")
    assert entry.data == {"changed": {"name": ["Mien", "Miến dong"]}}


def test_admin_product_export_writes_a_formula_like_name_as_text(
    lai_chau, admin_client
):
    ProductFactory(name='=HYPERLINK("http://evil","Bấm vào đây")')

    response = admin_client.post(
        reverse("admin:registry_product_export"),
        {"format": "0", "resource": "0", "productresource_name": "on"},
    )

    cell = load_workbook(io.BytesIO(response.content)).active["A2"]
    # django-import-export's escaping drops the sign that made it a formula.
    assert (cell.value, cell.data_type) == (
        'HYPERLINK("http://evil","Bấm vào đây")',
        "s",
    )
