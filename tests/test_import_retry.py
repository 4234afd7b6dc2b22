"""The commit of an import, as a job: a passing fault is retried and really commits;
a batch that cannot be committed fails the job with the reason."""

import pytest
from django.db import OperationalError, connection

from ocop.enums import JobStatus
from ocop.jobs import start_job
from ocop.models import Job
from registry.enums import ImportStatus
from registry.importer import preview_batch, record_batch
from registry.models import ImportBatch, Producer, Registration
from registry.tasks import commit_registration_import
from tests.conftest import REGISTRATION_XLSX
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


class LostConnection:
    """Refuses the first statement that starts with ``prefix`` as a dropped
    PostgreSQL connection does (a database execute wrapper: the fault is the
    database's, not ours)."""

    def __init__(self, prefix, times=1):
        self.prefix = prefix
        self.times = times
        self.refused = 0

    def __call__(self, execute, sql, params, many, context):
        if sql.startswith(self.prefix) and self.refused < self.times:
            self.refused += 1
            raise OperationalError("server closed the connection unexpectedly")
        return execute(sql, params, many, context)


def previewed_batch(province):
    with REGISTRATION_XLSX.open("rb") as handle:
        batch = record_batch(handle, name=REGISTRATION_XLSX.name, province=province)
    preview_batch(batch, year=2023)
    assert batch.status == ImportStatus.PREVIEWED
    return batch


def commit_job(batch, user):
    return Job.objects.get(
        pk=start_job(
            commit_registration_import,
            kind="registry.import.commit",
            title="Ghi danh sách đăng ký",
            params={"batch": batch.pk},
            user=user,
        ).pk
    )


def test_import_commit_retried_after_a_lost_connection_writes_the_list(lai_chau):
    batch = previewed_batch(lai_chau)
    job = commit_job(batch, UserFactory(username="tinh"))
    # The batch is marked committed last: producers, products and registrations
    # were written, and are rolled back with it.
    fault = LostConnection('UPDATE "registry_importbatch"')

    with connection.execute_wrapper(fault):
        commit_registration_import.apply((job.pk,), throw=False)

    job.refresh_from_db()
    batch.refresh_from_db()
    assert fault.refused == 1
    assert (job.status, job.attempts) == (JobStatus.DONE, 2)
    assert batch.status == ImportStatus.COMMITTED
    assert job.result["counts"]["registrations"] == {
        "created": 105,
        "updated": 0,
        "unchanged": 0,
    }
    assert Registration.objects.filter(import_batch=batch).count() == 105
    assert Producer.objects.count() == 57


def test_import_commit_failing_its_last_retry_fails_and_leaves_it_committable(
    lai_chau,
):
    batch = previewed_batch(lai_chau)
    job = commit_job(batch, UserFactory(username="tinh"))
    # The batch is marked committed last: producers, products and registrations
    # were written, and are rolled back with it.
    fault = LostConnection('UPDATE "registry_importbatch"')
    last = commit_registration_import.max_retries

    with connection.execute_wrapper(fault):
        commit_registration_import.apply((job.pk,), retries=last, throw=False)

    job.refresh_from_db()
    batch.refresh_from_db()
    assert fault.refused == 1
    assert job.status == JobStatus.FAILED
    assert job.message == "server closed the connection unexpectedly"
    assert batch.status == ImportStatus.PREVIEWED
    assert Producer.objects.count() == 0


@pytest.mark.parametrize(
    ("status", "summary", "message"),
    [
        (ImportStatus.FAILED, {"error": "Danh sách còn lỗi."},
         "Lần nhập này không ghi được vào cơ sở dữ liệu (Lỗi khi ghi). "
         "Danh sách còn lỗi."),
        (ImportStatus.REFUSED, {},
         "Lần nhập này không ghi được vào cơ sở dữ liệu (Bị từ chối)."),
    ],
)  # fmt: skip
def test_import_commit_of_a_batch_that_cannot_be_committed_fails_the_job(
    lai_chau, status, summary, message
):
    batch = previewed_batch(lai_chau)
    ImportBatch.objects.filter(pk=batch.pk).update(status=status, summary=summary)
    job = commit_job(batch, UserFactory(username="tinh"))

    commit_registration_import.apply((job.pk,), throw=False)

    job.refresh_from_db()
    batch.refresh_from_db()
    assert (job.status, job.message) == (JobStatus.FAILED, message)
    assert (batch.status, batch.summary) == (status, summary)
    assert Registration.objects.count() == 0


def test_import_commit_delivered_again_after_it_wrote_returns_the_same_counts(
    lai_chau,
):
    batch = previewed_batch(lai_chau)
    user = UserFactory(username="tinh")
    first = commit_job(batch, user)
    commit_registration_import.apply((first.pk,))
    first.refresh_from_db()
    second = commit_job(batch, user)

    commit_registration_import.apply((second.pk,))

    second.refresh_from_db()
    assert second.status == JobStatus.DONE
    assert second.result == first.result
    assert Registration.objects.count() == 105


def test_import_commit_taken_over_midway_leaves_the_batch_to_the_new_run(lai_chau):
    from datetime import timedelta

    from django.utils import timezone

    from ocop.jobs import claim_job, run_job
    from registry.tasks import _commit

    batch = previewed_batch(lai_chau)
    job = commit_job(batch, UserFactory(username="tinh"))

    def stalled_then_taken_over(job, progress):
        def progress_after_a_stall(done, total):
            Job.objects.filter(pk=job.pk).update(
                heartbeat_at=timezone.now() - timedelta(minutes=6)
            )
            assert claim_job(job.pk) is True
            progress(done, total)

        return _commit(job, progress_after_a_stall)

    result = run_job(job.pk, stalled_then_taken_over)

    job.refresh_from_db()
    batch.refresh_from_db()
    assert result is None
    assert (job.status, job.attempts) == (JobStatus.RUNNING, 2)
    assert batch.status == ImportStatus.PREVIEWED
    assert Registration.objects.count() == 0
