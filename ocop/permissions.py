"""Who may watch jobs, start document jobs and download generated documents.

Province-wide staff and council members see their province's documents and the jobs
its people started. A district officer makes the certificates and decisions its
district's People's Committee issued (under the 2023 rulebook it issues the 3-star
certificates, of its own rounds and of the products it referred that the province's
council scored 3 stars) and the score summaries of its district's rounds, and sees
the documents of its district, whoever made them. Anyone else sees the jobs they
started and what those made.
"""

import rules
from django.db.models import Q

from registry.permissions import (
    is_council_member,
    is_district_officer,
    is_province_wide,
)

from .models import Document, Job


@rules.predicate
def started_job(user, job):
    return job is not None and job.created_by_id == user.pk


can_start_document_jobs = is_province_wide | is_district_officer
can_see_all_documents = is_province_wide | is_council_member


def visible_jobs(user, queryset=None):
    queryset = Job.objects.all() if queryset is None else queryset
    if not user.is_authenticated:
        return queryset.none()
    if user.is_superuser:
        return queryset
    if is_province_wide(user):
        return queryset.filter(
            Q(created_by=user) | Q(created_by__province_id=user.province_id)
        )
    return queryset.filter(created_by=user)


def visible_documents(user, queryset=None):
    queryset = Document.objects.all() if queryset is None else queryset
    if not user.is_authenticated:
        return queryset.none()
    if user.is_superuser:
        return queryset
    own = Q(created_by=user) | Q(job__created_by=user)
    if can_see_all_documents(user):
        return queryset.filter(own | Q(province_id=user.province_id))
    if is_district_officer(user) and user.district_id:
        return queryset.filter(own | Q(district_id=user.district_id))
    return queryset.filter(own)


rules.add_perm("ocop.view_job", is_province_wide | started_job)
rules.add_perm("ocop.run_job_again", is_province_wide | started_job)
rules.add_perm("ocop.start_document_jobs", can_start_document_jobs)
