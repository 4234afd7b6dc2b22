"""Documents download under readable names: a certificate numbered 0004/2023/OCOP-12
as ``giay-chung-nhan-0004-2023-OCOP-12.pdf``, no longer
``giay-chung-nhan-00042023ocop-12.pdf``. Documents made before are renamed from what
they were made from: the certificate's number, the decision's, the round's name.
The stored files stay where they are.
"""

import re
import unicodedata

from django.db import migrations


def _words(text):
    # As ocop.downloads.ascii_words was when this migration was written.
    text = unicodedata.normalize("NFD", text).replace("đ", "d").replace("Đ", "D")
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Mn")
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-") or "tai-lieu"


def _name(document):
    data = document.input_data or {}
    number = document.decision_number
    if document.kind == "certificate" and data.get("number"):
        return f"giay-chung-nhan-{_words(data['number'])}.pdf"
    if document.kind == "certificate_bundle" and number:
        return f"giay-chung-nhan-qd-{_words(number)}.pdf"
    if document.kind == "decision" and number:
        return f"quyet-dinh-{_words(number)}.pdf"
    if document.kind == "decision_annex" and number:
        return f"phu-luc-quyet-dinh-{_words(number)}.xlsx"
    if document.kind == "round_summary" and data.get("round_name"):
        return f"tong-hop-diem-{_words(data['round_name'])}.pdf"
    return document.file_name


def rename(apps, schema_editor):
    Document = apps.get_model("ocop", "Document")
    renamed = []
    documents = Document.objects.exclude(kind__in=["report", "registration_list"])
    fields = ["kind", "input_data", "decision_number", "file_name"]
    for document in documents.only(*fields).iterator(chunk_size=500):
        name = _name(document)
        if name != document.file_name:
            document.file_name = name
            renamed.append(document)
    Document.objects.bulk_update(renamed, ["file_name"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("ocop", "0008_round_summary_district"),
    ]

    operations = [
        migrations.RunPython(rename, migrations.RunPython.noop, elidable=True),
    ]
