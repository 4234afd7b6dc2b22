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

A worker can die mid-job (killed, out of memory, the machine restarted). Each call of
``progress`` is the job's heartbeat. Tasks are acknowledged late, so the broker hands a
dead worker's task to another worker (after its visibility timeout, 15 minutes); that
delivery takes the job over when its heartbeat is older than ``TAKE_OVER_AFTER``, and
the run it replaced, should it wake up, stops at its next heartbeat. A job nobody takes
over is failed by Celery beat (``fail_stale_jobs``) after ``WORKER_GONE_AFTER``, with
the reason, and its page offers to run it again (``run_again``).
"""

import logging
from datetime import timedelta
from functools import partial

from celery import Task
from django.conf import settings
from django.db import OperationalError, transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from . import audit
from .enums import JobStatus
from .models import Job

logger = logging.getLogger(__name__)

PASSING_FAULTS = (OperationalError, ConnectionError, TimeoutError)
# A running job silent this long has lost its worker: a new delivery may take it
# over. Work reports progress every few seconds; the broker redelivers only after
# its visibility timeout (settings.CELERY_BROKER_TRANSPORT_OPTIONS, longer).
TAKE_OVER_AFTER = timedelta(minutes=5)
# Silent this long, and no worker took it over: Celery beat fails it.
WORKER_GONE_AFTER = timedelta(minutes=30)


class JobTakenOver(Exception):
    """This run's job was taken over by another delivery: stop, touch nothing."""


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
        task_name=task.name,
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
    """Move a queued job to running, or take over a running one whose worker fell
    silent; False if someone else has it (or it is finished)."""
    now = timezone.now()
    silent = Q(heartbeat_at__lt=now - TAKE_OVER_AFTER) | Q(
        heartbeat_at=None, started_at__lt=now - TAKE_OVER_AFTER
    )
    claimed = (
        Job.objects.filter(pk=job_id)
        .filter(Q(status=JobStatus.QUEUED) | Q(silent, status=JobStatus.RUNNING))
        .update(
            status=JobStatus.RUNNING,
            started_at=now,
            heartbeat_at=now,
            attempts=F("attempts") + 1,
            message="",
        )
    )
    return claimed == 1


def _this_run(job_id, attempt):
    return Job.objects.filter(pk=job_id, status=JobStatus.RUNNING, attempts=attempt)


def report_progress(job_id, done, total, attempt=None):
    """Record the count people see; it is also the job's heartbeat.

    Raises ``JobTakenOver`` when run ``attempt`` no longer holds the job.
    """
    jobs = Job.objects.filter(pk=job_id)
    if attempt is not None:
        jobs = _this_run(job_id, attempt)
    updated = jobs.update(
        progress_done=done, progress_total=total, heartbeat_at=timezone.now()
    )
    if attempt is not None and not updated:
        raise JobTakenOver(job_id)


def finish_job(job_id, result, attempt=None):
    jobs = Job.objects.filter(pk=job_id, status=JobStatus.RUNNING)
    if attempt is not None:
        jobs = _this_run(job_id, attempt)
    jobs.update(
        status=JobStatus.DONE,
        result=result or {},
        finished_at=timezone.now(),
        message="",
    )


def fail_job(job_id, reason, attempt=None):
    jobs = Job.objects.filter(pk=job_id).exclude(status=JobStatus.DONE)
    if attempt is not None:
        jobs = _this_run(job_id, attempt)
    jobs.update(
        status=JobStatus.FAILED, message=reason[:2000], finished_at=timezone.now()
    )


def release_job(job_id, reason, attempt=None):
    """Put a running job back in the queue so that a retry can claim it."""
    jobs = Job.objects.filter(pk=job_id, status=JobStatus.RUNNING)
    if attempt is not None:
        jobs = _this_run(job_id, attempt)
    jobs.update(
        status=JobStatus.QUEUED,
        message=_("Lỗi tạm thời, sẽ thử lại: %(reason)s") % {"reason": reason},
    )


def run_job(job_id, work):
    """Claim the job, run ``work(job, progress)`` and record how it ended.

    ``progress(done, total)`` updates the count people see and the heartbeat.
    Returns the result, or None when the job was not there to claim (or another
    delivery took it over meanwhile).
    """
    if not claim_job(job_id):
        logger.info("job %s not claimed (gone, running or finished elsewhere)", job_id)
        return None
    job = Job.objects.get(pk=job_id)
    attempt = job.attempts
    if attempt > 1:
        logger.warning("job %s (%s) running, attempt %s", job_id, job.kind, attempt)
    else:
        logger.info("job %s (%s) running", job_id, job.kind)
    try:
        # Documents are written in the installation's language, whoever asked; a
        # job whose words only its starter reads (an import's preview) names its
        # language in its params.
        language = job.params.get("language") or settings.LANGUAGE_CODE
        with translation.override(language):
            result = work(job, partial(report_progress, job_id, attempt=attempt))
    except JobTakenOver:
        logger.warning("job %s attempt %s stopped: taken over", job_id, attempt)
        return None
    except PASSING_FAULTS as exc:
        logger.warning("job %s hit a passing fault: %s", job_id, exc)
        release_job(job_id, str(exc), attempt)
        raise
    except Exception as exc:
        logger.exception("job %s failed", job_id)
        fail_job(job_id, str(exc) or exc.__class__.__name__, attempt)
        return None
    finish_job(job_id, result, attempt)
    logger.info("job %s done", job_id)
    return result


def fail_stale_jobs(now=None):
    """Fail the running jobs not heard from for ``WORKER_GONE_AFTER``; returns how
    many.

    Run by Celery beat. Each job is failed with a conditional update on the heartbeat
    it was found with, so a job that wakes up meanwhile is left alone.
    Side effects: the jobs' status and reason (which their page shows).
    """
    now = now or timezone.now()
    limit = now - WORKER_GONE_AFTER
    stale = Job.objects.filter(status=JobStatus.RUNNING).filter(
        Q(heartbeat_at__lt=limit) | Q(heartbeat_at=None, started_at__lt=limit)
    )
    count = 0
    with translation.override(settings.LANGUAGE_CODE):
        for job in stale.only("pk", "heartbeat_at", "started_at"):
            last = job.heartbeat_at or job.started_at
            reason = _(
                "Worker đã dừng khi đang làm việc này (tín hiệu cuối lúc %(when)s). "
                "Hãy chạy lại."
            ) % {"when": timezone.localtime(last).strftime("%d/%m/%Y %H:%M")}
            count += stale.filter(pk=job.pk, heartbeat_at=job.heartbeat_at).update(
                status=JobStatus.FAILED, message=reason, finished_at=now
            )
    if count:
        logger.warning("%s job(s) failed: their worker stopped", count)
    return count


def job_task(job):
    """The Celery task that runs ``job``, or None if it is not known (any more)."""
    from .celery import app

    return app.tasks.get(job.task_name) if job.task_name else None


def run_again(job, user):
    """Queue a failed job again, the same job with the same parameters.

    Returns False when the job is not failed (or its task is unknown). Side effects:
    the job's state, progress and reason are reset; an audit entry
    ``ocop.job.restarted`` keeps the reason it had failed with; the task is enqueued
    once the transaction commits.
    """
    task = job_task(job)
    if task is None:
        return False
    with transaction.atomic():
        restarted = Job.objects.filter(pk=job.pk, status=JobStatus.FAILED).update(
            status=JobStatus.QUEUED,
            message="",
            result={},
            progress_done=0,
            started_at=None,
            finished_at=None,
            heartbeat_at=None,
        )
        if not restarted:
            return False
        audit.record(
            user,
            "ocop.job.restarted",
            job,
            from_state=JobStatus.FAILED,
            to_state=JobStatus.QUEUED,
            reason=job.message,
        )
        transaction.on_commit(partial(enqueue, task, job.pk))
    logger.info("job %s (%s) queued again", job.pk, job.kind)
    return True
