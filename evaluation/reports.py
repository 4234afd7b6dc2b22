"""Programme reports as .xlsx: the decision annex, the starred products in force on a
day counted by place, producer kind, product group and year of issue, and the
certificates issued, expiring and revoked.

What a report counts, it says in its heading and note:

- A product counts once, by its *current* certificate on the day: the one issued
  last on or before that day. It counts if that certificate is in force then (not
  expired, not revoked by then). A certificate replaced by a later one (the product
  re-evaluated or upgraded) no longer counts, even within its 36 months.
- The place is the registering district, as records before 1 July 2025 have it; a
  record after that has no district and counts under its commune (today's list).
"""

from collections import Counter, defaultdict
from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from ocop.spreadsheets import new_workbook, to_bytes, write_table
from registry.enums import ProducerKind

from .enums import CertificateStatus
from .models import Certificate

EXPIRING_WITHIN_DAYS = 180
STAR_LEVELS = (3, 4, 5)


def decision_annex_xlsx(data):
    """The annex of a decision (``DecisionData``) as an editable workbook."""
    workbook, sheet = new_workbook()
    sheet.title = _("Phụ lục")
    rows = [
        (
            index,
            row.product,
            row.producer,
            row.district,
            float(row.score) if row.score is not None else None,
            row.stars,
            row.certificate_number,
        )
        for index, row in enumerate(data.rows, start=1)
    ]
    title = _("Danh sách sản phẩm đạt sao OCOP (kèm theo Quyết định số %(number)s)") % {
        "number": data.number
    }
    write_table(
        sheet,
        title=title,
        headers=[
            _("TT"),
            _("Tên sản phẩm"),
            _("Chủ thể"),
            _("Huyện"),
            _("Điểm"),
            _("Hạng sao"),
            _("Số giấy chứng nhận"),
        ],
        rows=rows,
        widths=[6, 40, 40, 22, 9, 10, 22],
        totals=["", _("Tổng cộng: %(count)s sản phẩm") % {"count": len(rows)}],
    )
    for row in sheet.iter_rows(min_row=4, min_col=5, max_col=5):
        for cell in row:
            cell.number_format = "0.00"
    return to_bytes(workbook)


def province_certificates(province):
    return Certificate.objects.filter(registration__province=province).select_related(
        "registration__district",
        "registration__commune__district",
        "product__product_set",
        "product__producer__commune__district",
    )


def _commune_label(commune):
    if commune.district_id:
        return commune.district.name
    return _("%(commune)s (xã từ 01/07/2025)") % {"commune": commune.name}


def _place(certificate):
    """The registering district; for a record after 1 July 2025, its commune."""
    registration = certificate.registration
    if registration.district_id:
        return registration.district.name
    for commune in (registration.commune, certificate.product.producer.commune):
        if commune is not None:
            return _commune_label(commune)
    return _("(không rõ huyện, xã)")


def _group(certificate):
    product_set = certificate.product.product_set
    return product_set.group_name if product_set else _("(chưa phân nhóm)")


def _kind(certificate):
    return ProducerKind(certificate.product.producer.kind).label


def is_revoked_on(certificate, day):
    return certificate.status == CertificateStatus.REVOKED and (
        certificate.revoked_on is None or certificate.revoked_on <= day
    )


def is_in_force_on(certificate, day):
    return certificate.issued_on <= day <= certificate.expires_on and not is_revoked_on(
        certificate, day
    )


def current_certificates(certificates, day):
    """Each product's certificate issued last on or before ``day``, by product id."""
    current = {}
    ordered = sorted(certificates, key=lambda c: (c.issued_on, c.pk))
    for certificate in ordered:
        if certificate.issued_on <= day:
            current[certificate.product_id] = certificate
    return current


def products_in_force(province, day):
    """The current certificate of each product whose certificate is in force on
    ``day``."""
    current = current_certificates(province_certificates(province), day)
    return [c for c in current.values() if is_in_force_on(c, day)]


def star_counts(certificates, key):
    """``{group: Counter({3: n, 4: n, 5: n})}`` over the given certificates."""
    counts = defaultdict(Counter)
    for certificate in certificates:
        counts[key(certificate)][certificate.stars] += 1
    return counts


def products_report_data(province, day=None):
    """Starred products with a certificate in force on ``day`` (today by default),
    one per product, counted by place, producer kind, product group and year of
    issue; the stars are the columns."""
    day = day or timezone.localdate()
    certificates = products_in_force(province, day)
    ways = [
        (_("Huyện"), _("Huyện"), _place),
        (_("Loại hình chủ thể"), _("Loại hình chủ thể"), _kind),
        (_("Nhóm sản phẩm"), _("Nhóm sản phẩm"), _group),
        (_("Năm"), _("Năm cấp giấy chứng nhận"), lambda c: c.issued_on.year),
    ]
    return {
        "heading": _(
            "Sản phẩm OCOP có giấy chứng nhận còn hiệu lực ngày %(day)s: %(province)s"
        )
        % {"day": day.strftime("%d/%m/%Y"), "province": province.name},
        "note": _(
            "Mỗi sản phẩm tính một lần, theo giấy chứng nhận cấp gần nhất đến ngày "
            "đó; không tính giấy đã hết hạn, đã thu hồi hoặc đã được thay bằng giấy "
            "mới. Địa bàn là huyện đăng ký (hồ sơ trước 01/07/2025) hoặc xã (từ "
            "01/07/2025, khi không còn cấp huyện)."
        ),
        "day": day,
        "sheets": [
            {
                "title": str(title),
                "header": str(header),
                "rows": star_rows(star_counts(certificates, key)),
            }
            for title, header, key in ways
        ],
    }


def star_rows(counts):
    """Rows of [group, 3 stars, 4 stars, 5 stars, total], groups in order."""
    rows = []
    for group in sorted(counts, key=str):
        by_star = counts[group]
        rows.append(
            [str(group)]
            + [by_star[stars] for stars in STAR_LEVELS]
            + [sum(by_star[stars] for stars in STAR_LEVELS)]
        )
    return rows


def products_report_xlsx(data):
    workbook, first = new_workbook()
    for index, sheet_data in enumerate(data["sheets"]):
        sheet = first if index == 0 else workbook.create_sheet()
        sheet.title = sheet_data["title"]
        rows = sheet_data["rows"]
        totals = [_("Tổng cộng")] + [
            sum(row[column] for row in rows)
            for column in range(1, len(STAR_LEVELS) + 2)
        ]
        write_table(
            sheet,
            title=data["heading"],
            note=data.get("note"),
            headers=[sheet_data.get("header", sheet_data["title"])]
            + [_("%(stars)s sao") % {"stars": stars} for stars in STAR_LEVELS]
            + [_("Tổng số")],
            rows=rows,
            widths=[40, 10, 10, 10, 12],
            totals=totals,
        )
    return to_bytes(workbook)


SUPERSEDED = pgettext_lazy("certificate status", "Đã thay bằng giấy mới")


def status_on(certificate, day, current):
    """What the certificate was on ``day``: revoked, expired, replaced or in force."""
    if is_revoked_on(certificate, day):
        return CertificateStatus.REVOKED.label
    if day > certificate.expires_on:
        return CertificateStatus.EXPIRED.label
    if current.get(certificate.product_id) != certificate:
        return SUPERSEDED
    return CertificateStatus.VALID.label


def _certificate_rows(certificates, day, current):
    return [
        [
            index,
            certificate.number,
            certificate.product_name,
            certificate.producer_name,
            _place(certificate),
            certificate.stars,
            float(certificate.score) if certificate.score is not None else None,
            certificate.decision_number,
            certificate.issued_on,
            certificate.expires_on,
            str(status_on(certificate, day, current)),
        ]
        for index, certificate in enumerate(certificates, start=1)
    ]


CERTIFICATE_HEADERS = (
    gettext_lazy("TT"),
    gettext_lazy("Số giấy chứng nhận"),
    gettext_lazy("Tên sản phẩm"),
    gettext_lazy("Chủ thể"),
    gettext_lazy("Huyện, xã"),
    gettext_lazy("Hạng sao"),
    gettext_lazy("Điểm"),
    gettext_lazy("Số quyết định"),
    gettext_lazy("Ngày cấp"),
    gettext_lazy("Hết hạn"),
    gettext_lazy("Trạng thái"),
)


def certificates_report_data(province, today, days=EXPIRING_WITHIN_DAYS):
    """On ``today``: every certificate issued by then (with its state then), the
    products' current certificates in force that expire within ``days``, and those
    revoked by then."""
    certificates = [
        certificate
        for certificate in province_certificates(province).order_by(
            "issued_on", "number"
        )
        if certificate.issued_on <= today
    ]
    current = current_certificates(certificates, today)
    until = today + timedelta(days)
    expiring = [
        certificate
        for certificate in certificates
        if current[certificate.product_id] == certificate
        and is_in_force_on(certificate, today)
        and certificate.expires_on <= until
    ]
    expiring.sort(key=lambda certificate: (certificate.expires_on, certificate.number))
    revoked = [c for c in certificates if is_revoked_on(c, today)]
    day = today.strftime("%d/%m/%Y")
    return {
        "day": today,
        "days": days,
        "sheets": [
            {
                "title": _("Đã cấp"),
                "heading": _("Giấy chứng nhận OCOP đã cấp đến ngày %(day)s")
                % {"day": day},
                "note": _(
                    "Mọi giấy chứng nhận đã cấp, kể cả đã hết hạn, đã thu hồi hoặc "
                    "đã được thay; trạng thái là trạng thái vào ngày %(day)s."
                )
                % {"day": day},
                "rows": _certificate_rows(certificates, today, current),
            },
            {
                "title": _("Sắp hết hạn"),
                "heading": _(
                    "Giấy chứng nhận hết hạn trong %(days)s ngày tới (tính từ %(day)s)"
                )
                % {"days": days, "day": day},
                "note": _(
                    "Giấy còn hiệu lực, chưa được thay bằng giấy mới, hết hạn đến "
                    "ngày %(until)s: sản phẩm cần đánh giá lại."
                )
                % {"until": until.strftime("%d/%m/%Y")},
                "rows": _certificate_rows(expiring, today, current),
            },
            {
                "title": _("Đã thu hồi"),
                "heading": _("Giấy chứng nhận OCOP đã thu hồi đến ngày %(day)s")
                % {"day": day},
                "rows": _certificate_rows(revoked, today, current),
            },
        ],
    }


def certificates_report_xlsx(data):
    workbook, first = new_workbook()
    for index, sheet_data in enumerate(data["sheets"]):
        sheet = first if index == 0 else workbook.create_sheet()
        sheet.title = sheet_data["title"]
        rows = sheet_data["rows"]
        write_table(
            sheet,
            title=sheet_data["heading"],
            note=sheet_data.get("note"),
            headers=[str(header) for header in CERTIFICATE_HEADERS],
            rows=rows,
            widths=[6, 20, 36, 36, 24, 9, 8, 18, 12, 12, 18],
            totals=["", _("Tổng số: %(count)s") % {"count": len(rows)}],
        )
        for row in sheet.iter_rows(min_row=4, min_col=9, max_col=10):
            for cell in row:
                cell.number_format = "DD/MM/YYYY"
    return to_bytes(workbook)
