"""The work behind the document jobs: each function takes the ``Job`` and a
``progress(done, total)`` callback and returns the job's result.

Side effects: stores documents (files and rows) through ``ocop.documents``; writes
nothing else. Running one twice with unchanged data stores nothing new.
"""

import logging

from django.utils.text import Truncator
from django.utils.translation import gettext as _

from ocop.documents import find_document, store_document
from ocop.downloads import ascii_words
from ocop.enums import DocumentKind
from ocop.models import Document

from ..models import Certificate, Round
from .build import (
    certificate_data,
    decision_certificates,
    decision_data,
    issuing_district_id,
    round_id_of,
    round_summary_data,
    shared_district_id,
    shared_round_id,
)

logger = logging.getLogger(__name__)


def file_slug(text):
    """The part of a file name that says what it is about, readable and in ASCII:
    '0004/2023/OCOP-12' gives '0004-2023-OCOP-12', '2150/QĐ-UBND' '2150-QD-UBND'."""
    return ascii_words(text) or "tai-lieu"


def decision_key(number, province_id=None, district_id=None):
    """What names a decision's documents: its number within its province, and within
    its district when one district's rounds certified all of it (whoever asks)."""
    if district_id is not None:
        return f"decision:{province_id or '-'}:{district_id}:{number}"
    return f"decision:{province_id or '-'}:{number}"


def _result(documents):
    return {"document_ids": [document.pk for document in documents]}


def certificate_key(certificate_id):
    return f"certificate:{certificate_id}"


def certificate_about(certificate):
    """What the documents page filters a certificate's PDF by."""
    return {
        "decision_number": certificate.decision_number,
        "round_id": round_id_of(certificate),
        "year": certificate.decision_date.year,
    }


def make_certificate(certificate, *, user=None, job=None):
    """The PDF of one certificate (a new version only if what it says changed)."""
    from .render import render_certificate

    data = certificate_data(certificate)
    return store_document(
        kind=DocumentKind.CERTIFICATE,
        key=certificate_key(certificate.pk),
        title=certificate_title(certificate),
        data=data.as_dict(),
        render=lambda _data: render_certificate(data),
        file_name=f"giay-chung-nhan-{file_slug(certificate.number)}.pdf",
        province_id=certificate.registration.province_id,
        district_id=issuing_district_id(certificate),
        user=user,
        job=job,
        **certificate_about(certificate),
    )


def make_one_certificate(job, progress):
    """The job behind a certificate's "make its PDF" button."""
    certificate = (
        Certificate.objects.select_related(
            "tier", "product__product_set", "registration", "evaluation__round"
        )
        .filter(pk=job.params["certificate_id"])
        .first()
    )
    if certificate is None:
        raise Certificate.DoesNotExist(_("Không còn giấy chứng nhận này."))
    progress(0, 1)
    document = make_certificate(certificate, user=job.created_by, job=job)
    progress(1, 1)
    return _result([document])


def make_decision_certificates(job, progress):
    """Every certificate of a decision: one PDF each, and all of them in one PDF.

    Each certificate is laid out once and its page serves both files; when nothing
    changed since the last run, nothing is laid out at all.
    """
    from .pdf import write_pdf
    from .render import layout_certificate

    number = job.params["decision_number"]
    province_id = job.params.get("province_id")
    district_id = job.params.get("district_id")
    certificates = list(decision_certificates(number, province_id, district_id))
    if not certificates:
        raise Certificate.DoesNotExist(
            _("Không có giấy chứng nhận nào theo quyết định %(number)s")
            % {"number": number}
        )
    total = len(certificates)
    progress(0, total)
    items = [
        (certificate, certificate_data(certificate).as_dict())
        for certificate in certificates
    ]
    owner = shared_district_id(certificates)
    bundle_key = decision_key(number, province_id, owner)
    bundle_data = {"certificates": [data for _certificate, data in items]}
    bundle = find_document(DocumentKind.CERTIFICATE_BUNDLE, bundle_key, bundle_data)

    layouts = []
    documents = []
    for index, (certificate, data) in enumerate(items, start=1):
        key = certificate_key(certificate.pk)
        document = find_document(DocumentKind.CERTIFICATE, key, data)
        if document is None or bundle is None:
            laid_out = layout_certificate(certificate_data(certificate))
            layouts.append(laid_out)
            document = store_document(
                kind=DocumentKind.CERTIFICATE,
                key=key,
                title=certificate_title(certificate),
                data=data,
                render=lambda _data, laid_out=laid_out: write_pdf([laid_out]),
                file_name=f"giay-chung-nhan-{file_slug(certificate.number)}.pdf",
                province_id=certificate.registration.province_id,
                district_id=issuing_district_id(certificate),
                user=job.created_by,
                job=job,
                **certificate_about(certificate),
            )
        documents.append(document)
        progress(index, total)
    if bundle is None:
        bundle = store_document(
            kind=DocumentKind.CERTIFICATE_BUNDLE,
            key=bundle_key,
            title=_("Giấy chứng nhận theo Quyết định %(number)s (%(count)s sản phẩm)")
            % {"number": number, "count": total},
            data=bundle_data,
            render=lambda _data: write_pdf(layouts),
            file_name=f"giay-chung-nhan-qd-{file_slug(number)}.pdf",
            province_id=certificates[0].registration.province_id,
            district_id=owner,
            user=job.created_by,
            job=job,
            decision_number=number,
            round_id=shared_round_id(certificates),
            year=certificates[0].decision_date.year,
        )
    return _result([bundle, *documents])


def certificate_title(certificate):
    """'Giấy chứng nhận 0001/2023/OCOP-12: Miến dong Bình Lư', the product's name
    shortened (…) where the whole would not fit a job's or a document's title."""
    title = _("Giấy chứng nhận %(number)s: %(product)s")
    number = {"number": certificate.number}
    room = Document._meta.get_field("title").max_length - len(
        title % {**number, "product": ""}
    )
    product = Truncator(certificate.product_name).chars(room)
    return title % {**number, "product": product}


def make_decision(job, progress):
    """The decision as PDF, with its annex, and the annex again as .xlsx; signed by
    the signer the job names (``signer_title``, ``signer_name``)."""
    from ..reports import decision_annex_xlsx
    from .render import render_decision

    number = job.params["decision_number"]
    province_id = job.params.get("province_id")
    district_id = job.params.get("district_id")
    data = decision_data(
        number,
        province_id,
        district_id,
        signer_title_text=job.params.get("signer_title", ""),
        signer_name=job.params.get("signer_name", ""),
    )
    certificates = list(decision_certificates(number, province_id, district_id))
    owner = shared_district_id(certificates)
    about = {
        "decision_number": number,
        "round_id": shared_round_id(certificates),
        "year": data.date.year,
    }
    progress(0, 2)
    decision = store_document(
        kind=DocumentKind.DECISION,
        key=decision_key(number, province_id, owner),
        title=_("Quyết định %(number)s phê duyệt kết quả đánh giá, phân hạng")
        % {"number": number},
        data=data.as_dict(),
        render=lambda _data: render_decision(data),
        file_name=f"quyet-dinh-{file_slug(number)}.pdf",
        province_id=province_id,
        district_id=owner,
        user=job.created_by,
        job=job,
        **about,
    )
    progress(1, 2)
    annex = store_document(
        kind=DocumentKind.DECISION_ANNEX,
        key=decision_key(number, province_id, owner),
        title=_("Phụ lục Quyết định %(number)s (.xlsx)") % {"number": number},
        data=data.as_dict(),
        render=lambda _data: decision_annex_xlsx(data),
        file_name=f"phu-luc-quyet-dinh-{file_slug(number)}.xlsx",
        province_id=province_id,
        district_id=owner,
        user=job.created_by,
        job=job,
        **about,
    )
    progress(2, 2)
    return _result([decision, annex])


def make_round_summary(job, progress):
    """The round's score summary, the province's document and, for a district
    council's round, that district's too."""
    from .render import render_round_summary

    round_id = job.params["round_id"]
    data = round_summary_data(round_id)
    province_id, district_id, year = Round.objects.values_list(
        "province_id", "district_id", "year"
    ).get(pk=round_id)
    progress(0, 1)
    document = store_document(
        kind=DocumentKind.ROUND_SUMMARY,
        key=f"round:{round_id}",
        title=_("Tổng hợp điểm: %(round)s") % {"round": data.round_name},
        data=data.as_dict(),
        render=lambda _data: render_round_summary(data),
        file_name=f"tong-hop-diem-{file_slug(data.round_name)}.pdf",
        province_id=province_id,
        # A district council's round is that district's: its officers see it.
        district_id=district_id,
        user=job.created_by,
        job=job,
        round_id=round_id,
        year=year,
    )
    progress(1, 1)
    return _result([document])


REPORT_PRODUCTS = "products"
REPORT_CERTIFICATES = "certificates"
REPORT_REGISTRATIONS = "registrations"


def report_titles():
    return {
        REPORT_PRODUCTS: _(
            "Sản phẩm OCOP còn hiệu lực theo huyện/xã, loại hình, nhóm, hạng sao, "
            "năm cấp"
        ),
        REPORT_CERTIFICATES: _("Báo cáo giấy chứng nhận: đã cấp, sắp hết hạn, thu hồi"),
        REPORT_REGISTRATIONS: _("Danh sách đăng ký tham gia OCOP (.xlsx)"),
    }


def report_day(params):
    """The day a report counts on: the job's ``day`` (ISO), else today."""
    from datetime import date

    from django.utils import timezone

    day = params.get("day")
    return date.fromisoformat(day) if day else timezone.localdate()


def make_report(job, progress):
    """A programme report (.xlsx) for the job's province: on the job's ``day`` (and
    within ``days`` for the expiring certificates), or for its ``year`` (the
    registration list)."""
    from registry.models import Province
    from registry.reports import registration_list_data, registration_list_xlsx

    from ..reports import (
        EXPIRING_WITHIN_DAYS,
        certificates_report_data,
        certificates_report_xlsx,
        products_report_data,
        products_report_xlsx,
    )

    name = job.params["report"]
    province = Province.objects.get(pk=job.params["province_id"])
    progress(0, 1)
    if name == REPORT_PRODUCTS:
        day = report_day(job.params)
        data, render = products_report_data(province, day), products_report_xlsx
        kind, key = DocumentKind.REPORT, f"report:products:{province.code}:{day}"
        file_name = f"bao-cao-san-pham-ocop-{day:%Y%m%d}.xlsx"
        year = day.year
    elif name == REPORT_CERTIFICATES:
        day = report_day(job.params)
        days = int(job.params.get("days") or EXPIRING_WITHIN_DAYS)
        data = certificates_report_data(province, day, days)
        render = certificates_report_xlsx
        kind = DocumentKind.REPORT
        key = f"report:certificates:{province.code}:{day}:{days}"
        file_name = f"bao-cao-giay-chung-nhan-{day:%Y%m%d}.xlsx"
        year = day.year
    elif name == REPORT_REGISTRATIONS:
        year = int(job.params["year"])
        data = registration_list_data(province, year)
        render = registration_list_xlsx
        kind = DocumentKind.REGISTRATION_LIST
        key = f"registrations:{province.code}:{year}"
        file_name = f"danh-sach-dang-ky-ocop-{year}.xlsx"
    else:
        raise ValueError(_("Không có báo cáo «%(name)s».") % {"name": name})
    document = store_document(
        kind=kind,
        key=key,
        title=job.title or report_titles()[name],
        data=data,
        render=render,
        file_name=file_name,
        province_id=province.pk,
        user=job.created_by,
        job=job,
        year=year,
    )
    progress(1, 1)
    return _result([document])
