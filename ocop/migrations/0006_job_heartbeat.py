"""Jobs record their worker's heartbeat, their attempts and the task that runs them.

Existing jobs: a started one was last heard from when it started, and ran once; each
gets the task its kind has always been run by, so that a failed one can be run again
from its page.
"""

from django.db import migrations, models
from django.db.models import F

TASKS = {
    "documents.decision_certificates": "evaluation.render_decision_certificates",
    "documents.decision": "evaluation.render_decision",
    "documents.round_summary": "evaluation.render_round_summary",
    "documents.report": "evaluation.render_report",
    "registry.import.preview": "registry.tasks.preview_registration_import",
    "registry.import.commit": "registry.tasks.commit_registration_import",
}


def fill_jobs(apps, schema_editor):
    Job = apps.get_model("ocop", "Job")
    Job.objects.exclude(started_at=None).update(
        heartbeat_at=F("started_at"), attempts=1
    )
    for kind, task_name in TASKS.items():
        Job.objects.filter(kind=kind).update(task_name=task_name)


class Migration(migrations.Migration):
    dependencies = [
        ("ocop", "0005_document_district"),
    ]

    operations = [
        migrations.AddField(
            model_name="job",
            name="attempts",
            field=models.PositiveSmallIntegerField(
                default=0, verbose_name="số lần chạy"
            ),
        ),
        migrations.AddField(
            model_name="job",
            name="heartbeat_at",
            field=models.DateTimeField(
                blank=True, null=True, verbose_name="tín hiệu gần nhất"
            ),
        ),
        migrations.AddField(
            model_name="job",
            name="task_name",
            field=models.CharField(blank=True, max_length=200, verbose_name="tác vụ"),
        ),
        migrations.RunPython(fill_jobs, migrations.RunPython.noop, elidable=True),
    ]
