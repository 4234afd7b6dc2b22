"""Celery tasks of the evaluation: thin, by job id; the work is in
``evaluation.documents.services`` and ``evaluation.services``."""

import logging

from celery import shared_task

from ocop.jobs import PASSING_FAULTS, JobTask, run_job

from . import services as workflow
from .documents import services

logger = logging.getLogger(__name__)


@shared_task(base=JobTask, bind=True, name="evaluation.render_decision_certificates")
def render_decision_certificates(self, job_id):
    return run_job(job_id, services.make_decision_certificates)


@shared_task(base=JobTask, bind=True, name="evaluation.render_certificate")
def render_certificate(self, job_id):
    return run_job(job_id, services.make_one_certificate)


@shared_task(base=JobTask, bind=True, name="evaluation.render_decision")
def render_decision(self, job_id):
    return run_job(job_id, services.make_decision)


@shared_task(base=JobTask, bind=True, name="evaluation.render_round_summary")
def render_round_summary(self, job_id):
    return run_job(job_id, services.make_round_summary)


@shared_task(base=JobTask, bind=True, name="evaluation.render_report")
def render_report(self, job_id):
    return run_job(job_id, services.make_report)


@shared_task(
    name="evaluation.expire_certificates",
    autoretry_for=PASSING_FAULTS,
    retry_backoff=60,
    max_retries=3,
)
def expire_certificates():
    """Daily, from Celery beat: certificates past their expiry date become expired."""
    count = workflow.expire_certificates()
    logger.info("%s certificate(s) marked expired", count)
    return count
