"""Programme reports as .xlsx: the decision annex, certified products counted by
district, producer kind, product group and year, and the certificates issued,
expiring and revoked."""

from collections import Counter, defaultdict
from datetime import timedelta

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

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
        "product__product_set",
        "product__producer__commune__district",
    )


def _district(certificate):
    if certificate.registration.district_id:
        return certificate.registration.district.name
    commune = certificate.product.producer.commune
    if commune is not None and commune.district_id:
        return commune.district.name
    return _("(không rõ huyện)")


def _group(certificate):
    product_set = certificate.product.product_set
    return product_set.group_name if product_set else _("(chưa phân nhóm)")


def _kind(certificate):
    return ProducerKind(certificate.product.producer.kind).label


def star_counts(certificates, key):
    """``{group: Counter({3: n, 4: n, 5: n})}`` over the given certificates."""
    counts = defaultdict(Counter)
    for certificate in certificates:
        counts[key(certificate)][certificate.stars] += 1
    return counts


def products_report_data(province):
    """Certified products (one per certificate ever issued), counted four ways."""
    certificates = list(province_certificates(province))
    ways = [
        (_("Huyện"), _district),
        (_("Loại hình chủ thể"), _kind),
        (_("Nhóm sản phẩm"), _group),
        (_("Năm"), lambda certificate: certificate.issued_on.year),
    ]
    return {
        "heading": _("Sản phẩm OCOP được công nhận của %(province)s")
        % {"province": province.name},
        "sheets": [
            {"title": str(title), "rows": star_rows(star_counts(certificates, key))}
            for title, key in ways
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
            headers=[sheet_data["title"]]
            + [_("%(stars)s sao") % {"stars": stars} for stars in STAR_LEVELS]
            + [_("Tổng số")],
            rows=rows,
            widths=[40, 10, 10, 10, 12],
            totals=totals,
        )
    return to_bytes(workbook)


def _certificate_rows(certificates):
    return [
        [
            index,
            certificate.number,
            certificate.product_name,
            certificate.producer_name,
            _district(certificate),
            certificate.stars,
            float(certificate.score) if certificate.score is not None else None,
            certificate.decision_number,
            certificate.issued_on,
            certificate.expires_on,
            str(certificate.get_status_display()),
        ]
        for index, certificate in enumerate(certificates, start=1)
    ]


CERTIFICATE_HEADERS = (
    gettext_lazy("TT"),
    gettext_lazy("Số giấy chứng nhận"),
    gettext_lazy("Tên sản phẩm"),
    gettext_lazy("Chủ thể"),
    gettext_lazy("Huyện"),
    gettext_lazy("Hạng sao"),
    gettext_lazy("Điểm"),
    gettext_lazy("Số quyết định"),
    gettext_lazy("Ngày cấp"),
    gettext_lazy("Hết hạn"),
    gettext_lazy("Trạng thái"),
)


def certificates_report_data(province, today):
    """Every certificate issued, those still valid that expire within 180 days of
    ``today``, and those revoked."""
    certificates = list(province_certificates(province).order_by("issued_on", "number"))
    expiring = [
        certificate
        for certificate in certificates
        if certificate.status == CertificateStatus.VALID
        and today <= certificate.expires_on <= today + timedelta(EXPIRING_WITHIN_DAYS)
    ]
    revoked = [c for c in certificates if c.status == CertificateStatus.REVOKED]
    return {
        "sheets": [
            {
                "title": _("Đã cấp"),
                "heading": _("Giấy chứng nhận OCOP đã cấp"),
                "rows": _certificate_rows(certificates),
            },
            {
                "title": _("Sắp hết hạn"),
                "heading": _(
                    "Giấy chứng nhận hết hạn trong %(days)s ngày tới (tính từ %(day)s)"
                )
                % {"days": EXPIRING_WITHIN_DAYS, "day": today.strftime("%d/%m/%Y")},
                "rows": _certificate_rows(expiring),
            },
            {
                "title": _("Đã thu hồi"),
                "heading": _("Giấy chứng nhận OCOP đã thu hồi"),
                "rows": _certificate_rows(revoked),
            },
        ]
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
            headers=[str(header) for header in CERTIFICATE_HEADERS],
            rows=rows,
            widths=[6, 20, 36, 36, 20, 9, 8, 18, 12, 12, 16],
            totals=["", _("Tổng số: %(count)s") % {"count": len(rows)}],
        )
        for row in sheet.iter_rows(min_row=4, min_col=9, max_col=10):
            for cell in row:
                cell.number_format = "DD/MM/YYYY"
    return to_bytes(workbook)
