"""The Celery app. On the embedded default, tasks run in-process (eager).

``celery -A ocop beat`` runs the schedule below; the times are in ``TIME_ZONE``.
"""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ocop.settings")

app = Celery("ocop")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
app.conf.beat_schedule = {
    # Just after midnight: from its first day past expiry, a certificate counts as
    # expired in the lists and reports, which read its status.
    "expire-certificates": {
        "task": "evaluation.expire_certificates",
        "schedule": crontab(hour=0, minute=30),
    },
    # A job whose worker died (and that no other worker took over) shows as failed,
    # with the reason, instead of "running" for ever.
    "fail-stale-jobs": {
        "task": "ocop.fail_stale_jobs",
        "schedule": crontab(minute="*/5"),
    },
}
