"""Celery tasks of the jobs themselves: recovering from workers that died."""

import logging

from celery import shared_task

from .jobs import PASSING_FAULTS, fail_stale_jobs

logger = logging.getLogger(__name__)


@shared_task(
    name="ocop.fail_stale_jobs",
    autoretry_for=PASSING_FAULTS,
    retry_backoff=30,
    max_retries=3,
)
def fail_stale_jobs_task():
    """Every few minutes, from Celery beat: fail the jobs whose worker stopped."""
    return fail_stale_jobs()
