"""Background jobs that people can watch: queued, running "40 of 105", done or failed.

The pattern every task follows::

    @shared_task(base=JobTask, bind=True)
    def render_things(self, job_id):
        run_job(job_id, lambda job, progress: services.render_things(job, progress))

``start_job`` records the job and enqueues its task once the transaction commits.
``run_job`` claims the job with a conditional update, so a task delivered twice does
the work once; a passing fault (database or broker connection) puts the job back in
the queue and lets Celery retry it with backoff; any other error fails the job with its
reason. The work function returns the job's result, e.g. ``{"document_ids": [..]}``.
"""

import logging
from functools import partial

from celery import Task
from django.conf import settings
from django.db import OperationalError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .enums import JobStatus
from .models import Job

logger = logging.getLogger(__name__)

PASSING_FAULTS = (OperationalError, ConnectionError, TimeoutError)


class JobTask(Task):
    """A task bound to a ``Job`` row: retried on passing faults, failed when out of
    retries."""

    autoretry_for = PASSING_FAULTS
    retry_backoff = 2
    retry_backoff_max = 60
    retry_jitter = True
    max_retries = 4

    def on_failure(self, exc, task_id, args, kwargs, einfo):
        job_id = args[0] if args else kwargs.get("job_id")
        if job_id is not None:
            fail_job(job_id, str(exc) or exc.__class__.__name__)


def start_job(task, *, kind, title, params=None, user=None, total=0):
    """Record a queued job and enqueue ``task(job.pk)`` when the transaction commits."""
    job = Job.objects.create(
        kind=kind,
        title=title,
        params=params or {},
        progress_total=total,
        created_by=user if user is not None and user.is_authenticated else None,
    )
    transaction.on_commit(partial(enqueue, task, job.pk))
    logger.info("job %s (%s) queued", job.pk, kind)
    return job


def enqueue(task, job_id):
    """Send the job to the broker; if it cannot be reached, the job fails with why."""
    try:
        task.delay(job_id)
    except Exception as exc:
        logger.exception("job %s could not be enqueued", job_id)
        fail_job(
            job_id,
            _("Không gửi được việc tới hàng đợi: %(reason)s")
            % {"reason": str(exc) or exc.__class__.__name__},
        )


def claim_job(job_id):
    """Move a queued job to running; False if someone else has it (or it is done)."""
    claimed = Job.objects.filter(pk=job_id, status=JobStatus.QUEUED).update(
        status=JobStatus.RUNNING, started_at=timezone.now(), message=""
    )
    return claimed == 1


def report_progress(job_id, done, total):
    Job.objects.filter(pk=job_id).update(progress_done=done, progress_total=total)


def finish_job(job_id, result):
    Job.objects.filter(pk=job_id, status=JobStatus.RUNNING).update(
        status=JobStatus.DONE,
        result=result or {},
        finished_at=timezone.now(),
        message="",
    )


def fail_job(job_id, reason):
    Job.objects.filter(pk=job_id).exclude(status=JobStatus.DONE).update(
        status=JobStatus.FAILED, message=reason[:2000], finished_at=timezone.now()
    )


def release_job(job_id, reason):
    """Put a running job back in the queue so that a retry can claim it."""
    Job.objects.filter(pk=job_id, status=JobStatus.RUNNING).update(
        status=JobStatus.QUEUED,
        message=_("Lỗi tạm thời, sẽ thử lại: %(reason)s") % {"reason": reason},
    )


def run_job(job_id, work):
    """Claim the job, run ``work(job, progress)`` and record how it ended.

    ``progress(done, total)`` updates the count people see. Returns the result, or
    None when the job was not there to claim.
    """
    if not claim_job(job_id):
        logger.info("job %s not claimed (gone, running or finished elsewhere)", job_id)
        return None
    job = Job.objects.get(pk=job_id)
    logger.info("job %s (%s) running", job_id, job.kind)
    try:
        # Documents are written in the installation's language, whoever asked.
        with translation.override(settings.LANGUAGE_CODE):
            result = work(job, partial(report_progress, job_id))
    except PASSING_FAULTS as exc:
        logger.warning("job %s hit a passing fault: %s", job_id, exc)
        release_job(job_id, str(exc))
        raise
    except Exception as exc:
        logger.exception("job %s failed", job_id)
        fail_job(job_id, str(exc) or exc.__class__.__name__)
        return None
    finish_job(job_id, result)
    logger.info("job %s done", job_id)
    return result
