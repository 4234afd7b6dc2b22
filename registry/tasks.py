"""Background work of the registry: reading and writing registration imports.

Each task takes a job id, and leaves the work to :mod:`registry.importer`.
"""

import logging

from celery import shared_task

from ocop.jobs import JobTask, run_job

from .models import ImportBatch

logger = logging.getLogger(__name__)


def _batch(job):
    batch = ImportBatch.objects.filter(pk=job.params.get("batch")).first()
    if batch is None:
        logger.warning("job %s: import batch %s is gone", job.pk, job.params)
    return batch


def _preview(job, progress):
    from .importer import preview_batch

    batch = _batch(job)
    if batch is None:
        return {}
    preview = preview_batch(batch, year=job.params.get("year"), progress=progress)
    return {"batch": batch.pk, "refused": preview.get("refused", "")}


def _commit(job, progress):
    from .importer import commit_batch

    batch = _batch(job)
    if batch is None:
        return {}
    summary = commit_batch(batch, user=job.created_by, progress=progress)
    return {"batch": batch.pk, "counts": summary.get("counts", {})}


@shared_task(base=JobTask, bind=True)
def preview_registration_import(self, job_id):
    return run_job(job_id, _preview)


@shared_task(base=JobTask, bind=True)
def commit_registration_import(self, job_id):
    return run_job(job_id, _commit)
