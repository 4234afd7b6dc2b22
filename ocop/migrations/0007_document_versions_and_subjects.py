"""Documents: the latest version follows the data (the same data may come back as a
new version, so the input hash is no longer unique), and each says which decision,
round and year it is about, for the documents page's filters.

Existing documents get these from what they were made from: a certificate from its
certificate, a decision (and its annex and certificate bundle) from its data, a
round's summary from its round, a report from its year or the day it was made.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def _year(text):
    return int(text[:4]) if text and text[:4].isdigit() else None


def fill_subjects(apps, schema_editor):
    Document = apps.get_model("ocop", "Document")
    Certificate = apps.get_model("evaluation", "Certificate")
    Round = apps.get_model("evaluation", "Round")
    for document in Document.objects.all().iterator():
        _prefix, _, rest = document.key.partition(":")
        data = document.input_data or {}
        if document.kind == "certificate" and rest.isdigit():
            certificate = (
                Certificate.objects.filter(pk=int(rest))
                .select_related("evaluation")
                .first()
            )
            if certificate is not None:
                document.decision_number = certificate.decision_number
                document.year = certificate.decision_date.year
                if certificate.evaluation_id:
                    document.round_id = certificate.evaluation.round_id
        elif document.kind in ("decision", "decision_annex", "certificate_bundle"):
            first = (data.get("certificates") or [{}])[0]
            number = data.get("number") or first.get("decision_number", "")
            document.decision_number = number
            document.year = _year(data.get("date") or first.get("decision_date"))
            rounds = set(
                Certificate.objects.filter(
                    decision_number=number,
                    registration__province_id=document.province_id,
                ).values_list("evaluation__round_id", flat=True)
            )
            if len(rounds) == 1:
                document.round_id = rounds.pop()
        elif document.kind == "round_summary" and rest.isdigit():
            round_ = Round.objects.filter(pk=int(rest)).first()
            if round_ is not None:
                document.round_id = round_.pk
                document.year = round_.year
        elif document.kind == "registration_list":
            document.year = _year(document.key.rsplit(":", 1)[-1])
        else:
            document.year = document.created_at.year
        document.save(update_fields=["decision_number", "round", "year"])


class Migration(migrations.Migration):
    dependencies = [
        ("evaluation", "0002_certificate_verification_code"),
        ("ocop", "0006_job_heartbeat"),
        ("registry", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="document",
            name="document_input_once",
        ),
        migrations.AddField(
            model_name="document",
            name="decision_number",
            field=models.CharField(
                blank=True, db_index=True, max_length=100, verbose_name="số quyết định"
            ),
        ),
        migrations.AddField(
            model_name="document",
            name="round",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="evaluation.round",
                verbose_name="đợt đánh giá",
            ),
        ),
        migrations.AddField(
            model_name="document",
            name="year",
            field=models.PositiveSmallIntegerField(
                blank=True, null=True, verbose_name="năm"
            ),
        ),
        migrations.AddIndex(
            model_name="document",
            index=models.Index(fields=["year", "kind"], name="document_year_kind"),
        ),
        migrations.RunPython(fill_subjects, migrations.RunPython.noop, elidable=True),
    ]
