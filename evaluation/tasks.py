"""Celery tasks of the evaluation: thin, by job id; the work is in
``evaluation.documents.services``."""

from celery import shared_task

from ocop.jobs import JobTask, run_job

from .documents import services


@shared_task(base=JobTask, bind=True, name="evaluation.render_decision_certificates")
def render_decision_certificates(self, job_id):
    return run_job(job_id, services.make_decision_certificates)


@shared_task(base=JobTask, bind=True, name="evaluation.render_decision")
def render_decision(self, job_id):
    return run_job(job_id, services.make_decision)


@shared_task(base=JobTask, bind=True, name="evaluation.render_round_summary")
def render_round_summary(self, job_id):
    return run_job(job_id, services.make_round_summary)


@shared_task(base=JobTask, bind=True, name="evaluation.render_report")
def render_report(self, job_id):
    return run_job(job_id, services.make_report)
