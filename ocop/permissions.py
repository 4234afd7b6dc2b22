"""Who may watch jobs and download generated documents.

Province-wide staff see every job and document of the installation; anyone else sees
the jobs they started and the documents those jobs made.
"""

import rules
from django.db.models import Q

from registry.permissions import is_council_member, is_province_wide

from .models import Document, Job


@rules.predicate
def started_job(user, job):
    return job is not None and job.created_by_id == user.pk


can_start_document_jobs = is_province_wide
can_see_all_documents = is_province_wide | is_council_member


def visible_jobs(user, queryset=None):
    queryset = Job.objects.all() if queryset is None else queryset
    if not user.is_authenticated:
        return queryset.none()
    if can_see_all_documents(user):
        return queryset
    return queryset.filter(created_by=user)


def visible_documents(user, queryset=None):
    queryset = Document.objects.all() if queryset is None else queryset
    if not user.is_authenticated:
        return queryset.none()
    if can_see_all_documents(user):
        return queryset
    return queryset.filter(Q(created_by=user) | Q(job__created_by=user))


rules.add_perm("ocop.view_job", can_see_all_documents | started_job)
rules.add_perm("ocop.start_document_jobs", can_start_document_jobs)
