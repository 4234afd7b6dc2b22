"""A document's versions: the latest always says what the data says now."""

import pytest

from evaluation.documents.services import make_certificate
from ocop.documents import find_document, latest_document, store_document
from ocop.enums import DocumentKind
from ocop.models import Document
from tests.document_builders import make_decision

pytestmark = pytest.mark.django_db


def content(document):
    with document.file.open("rb") as handle:
        return handle.read()


def test_document_data_back_to_an_earlier_state_is_the_latest_version_again(lai_chau):
    _round, (certificate, *_rest) = make_decision(1)
    first_name = certificate.producer_name
    first = make_certificate(certificate)
    certificate.producer_name = "HTX Nông nghiệp Bình Lư (đổi tên)"
    certificate.save(update_fields=["producer_name"])
    second = make_certificate(certificate)
    certificate.producer_name = first_name
    certificate.save(update_fields=["producer_name"])

    third = make_certificate(certificate)

    latest = latest_document(DocumentKind.CERTIFICATE, f"certificate:{certificate.pk}")
    assert [first.version, second.version, third.version] == [1, 2, 3]
    assert latest == third
    assert third.input_hash == first.input_hash != second.input_hash
    assert content(third) == content(first)
    assert third.file.name != first.file.name


def test_document_back_to_an_earlier_state_is_copied_not_rendered_again(lai_chau):
    calls = []

    def render(data):
        calls.append(data["state"])
        return f"PK {data['state']}".encode()

    documents = [
        store_document(
            kind=DocumentKind.REPORT,
            key="report:test",
            title="Báo cáo thử",
            data={"state": state},
            render=render,
            file_name="bao-cao.xlsx",
        )
        for state in ("A", "B", "A", "A")
    ]

    assert calls == ["A", "B"]
    assert [d.version for d in documents] == [1, 2, 3, 3]
    assert [content(d) for d in documents] == [b"PK A", b"PK B", b"PK A", b"PK A"]
    assert Document.objects.filter(key="report:test").count() == 3


def test_document_found_only_when_its_latest_version_has_the_data(lai_chau):
    for state in ("A", "B"):
        store_document(
            kind=DocumentKind.REPORT,
            key="report:test",
            title="Báo cáo thử",
            data={"state": state},
            render=lambda data: b"PK",
            file_name="bao-cao.xlsx",
        )

    found_b = find_document(DocumentKind.REPORT, "report:test", {"state": "B"})
    found_a = find_document(DocumentKind.REPORT, "report:test", {"state": "A"})

    assert (found_b.version, found_a) == (2, None)


def test_decision_certificates_job_after_a_to_b_to_a_makes_the_bundle_current(
    lai_chau, django_capture_on_commit_callbacks
):
    from evaluation import tasks
    from ocop.jobs import start_job

    _round, (certificate, *_rest) = make_decision(2)
    first_name = certificate.producer_name

    def run():
        with django_capture_on_commit_callbacks(execute=True):
            start_job(
                tasks.render_decision_certificates,
                kind="documents.decision_certificates",
                title="Giấy chứng nhận",
                params={"decision_number": "1234/QĐ-UBND"},
            )

    run()
    for name in ("HTX Bình Lư (đổi tên)", first_name):
        certificate.producer_name = name
        certificate.save(update_fields=["producer_name"])
        run()

    bundles = Document.objects.filter(kind=DocumentKind.CERTIFICATE_BUNDLE)
    singles = Document.objects.filter(key=f"certificate:{certificate.pk}")
    assert sorted(bundles.values_list("version", flat=True)) == [1, 2, 3]
    assert sorted(singles.values_list("version", flat=True)) == [1, 2, 3]
    assert bundles.get(version=3).input_hash == bundles.get(version=1).input_hash
    assert Document.objects.filter(kind=DocumentKind.CERTIFICATE).count() == 4
