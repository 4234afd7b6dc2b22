from datetime import UTC, datetime, timedelta

import pytest
from celery import shared_task
from django.db import OperationalError
from django.urls import reverse
from django.utils import timezone

from ocop.enums import JobStatus
from ocop.jobs import (
    JobTask,
    claim_job,
    enqueue,
    fail_stale_jobs,
    report_progress,
    run_job,
    start_job,
)
from ocop.models import AuditEntry, Job
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

attempts = []


def flaky_work(job, progress):
    """Fails with a passing database fault on its first attempt."""
    attempts.append(job.pk)
    progress(len(attempts), 2)
    if len(attempts) == 1:
        raise OperationalError("server closed the connection unexpectedly")
    return {"attempts": len(attempts)}


def broken_work(job, progress):
    raise ValueError("Quyết định 99/QĐ-UBND không có giấy chứng nhận nào")


def counted_work(job, progress):
    attempts.append(job.pk)
    for done in range(1, 4):
        progress(done, 3)
    return {"document_ids": []}


@shared_task(base=JobTask, bind=True, name="tests.flaky", retry_backoff=False)
def flaky_task(self, job_id):
    return run_job(job_id, flaky_work)


def unreachable_work(job, progress):
    raise ConnectionError("Redis không trả lời")


@shared_task(base=JobTask, bind=True, name="tests.unreachable", max_retries=0)
def unreachable_task(self, job_id):
    return run_job(job_id, unreachable_work)


@shared_task(base=JobTask, bind=True, name="tests.broken")
def broken_task(self, job_id):
    return run_job(job_id, broken_work)


@shared_task(base=JobTask, bind=True, name="tests.counted")
def counted_task(self, job_id):
    return run_job(job_id, counted_work)


@pytest.fixture(autouse=True)
def _fresh_attempts():
    attempts.clear()


def test_start_job_enqueues_only_after_commit(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = start_job(counted_task, kind="tests.counted", title="Đếm")

    assert job.status == JobStatus.QUEUED
    assert len(callbacks) == 1
    assert attempts == []


def test_job_runs_to_done_with_its_progress_and_result(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        job = start_job(counted_task, kind="tests.counted", title="Đếm")

    job.refresh_from_db()
    assert job.status == JobStatus.DONE
    assert (job.progress_done, job.progress_total, job.percent) == (3, 3, 100)
    assert job.result == {"document_ids": []}
    assert job.started_at is not None and job.finished_at >= job.started_at


def test_job_delivered_twice_does_its_work_once(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = start_job(counted_task, kind="tests.counted", title="Đếm")

    counted_task.delay(job.pk)

    assert attempts == [job.pk]
    assert claim_job(job.pk) is False


def test_job_retries_after_a_passing_fault_and_then_finishes():
    job = Job.objects.create(kind="tests.flaky", title="Lỗi tạm thời")

    # In-process, Celery hands the retry back instead of raising it only when the
    # task is applied with throw=False; a worker retries it after the backoff.
    flaky_task.apply((job.pk,), throw=False)

    job.refresh_from_db()
    assert attempts == [job.pk, job.pk]
    assert job.status == JobStatus.DONE
    assert job.result == {"attempts": 2}


def test_job_out_of_retries_fails_with_the_fault_as_reason():
    job = Job.objects.create(kind="tests.unreachable", title="Không tới được")

    unreachable_task.apply((job.pk,), throw=False)

    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.message == "Redis không trả lời"


class BrokerDown:
    """A Celery task whose broker refuses connections (Celery's side, not ours)."""

    def delay(self, *args):
        raise ConnectionRefusedError("Error 111 connecting to redis:6379")


def test_job_that_cannot_reach_the_broker_fails_with_the_reason():
    job = Job.objects.create(kind="tests.counted", title="Đếm")

    enqueue(BrokerDown(), job.pk)

    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.message == (
        "Không gửi được việc tới hàng đợi: Error 111 connecting to redis:6379"
    )


def test_job_that_fails_records_the_reason(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = start_job(broken_task, kind="tests.broken", title="Hỏng")

    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.message == "Quyết định 99/QĐ-UBND không có giấy chứng nhận nào"
    assert job.finished_at is not None


def test_job_page_shows_progress_and_polls_until_finished(client, lai_chau):
    user = UserFactory(username="tinh")
    job = Job.objects.create(
        kind="tests.counted",
        title="Giấy chứng nhận theo Quyết định 1234/QĐ-UBND",
        status=JobStatus.RUNNING,
        progress_done=40,
        progress_total=105,
        created_by=user,
    )
    client.force_login(user)

    page = client.get(reverse("ocop:job-detail", args=[job.pk]))
    fragment = client.get(
        reverse("ocop:job-detail", args=[job.pk]), headers={"HX-Request": "true"}
    )

    html = page.content.decode()
    assert "Giấy chứng nhận theo Quyết định 1234/QĐ-UBND" in html
    assert "40 trên 105" in html
    assert 'hx-trigger="every 1s"' in html
    assert fragment.content.decode().lstrip().startswith('<div id="job-status"')
    assert "<html" not in fragment.content.decode()


def test_job_page_stops_polling_and_links_the_result_when_done(client, lai_chau):
    user = UserFactory(username="tinh")
    job = Job.objects.create(
        kind="tests.counted", title="Đếm", status=JobStatus.DONE, created_by=user
    )
    client.force_login(user)

    html = client.get(reverse("ocop:job-detail", args=[job.pk])).content.decode()

    assert "hx-trigger" not in html
    assert "Hoàn thành" in html


def test_job_page_is_hidden_from_a_district_officer_who_did_not_start_it(
    client, lai_chau
):
    from registry.enums import Role
    from tests.factories import TAM_DUONG, district

    owner = UserFactory(username="tinh")
    officer = UserFactory(
        username="huyen", role=Role.DISTRICT_OFFICER, district=district(TAM_DUONG)
    )
    job = Job.objects.create(kind="tests.counted", title="Đếm", created_by=owner)
    client.force_login(officer)

    response = client.get(reverse("ocop:job-detail", args=[job.pk]))

    assert response.status_code == 404


def running_job(heard_minutes_ago, **fields):
    """A job some worker started, last heard from so many minutes ago."""
    heard = timezone.now() - timedelta(minutes=heard_minutes_ago)
    return Job.objects.create(
        kind="tests.counted",
        title="Đếm",
        status=JobStatus.RUNNING,
        started_at=heard,
        heartbeat_at=heard,
        attempts=1,
        task_name="tests.counted",
        **fields,
    )


def test_job_progress_is_its_heartbeat():
    job = running_job(3)
    before = job.heartbeat_at

    report_progress(job.pk, 2, 5, attempt=1)

    job.refresh_from_db()
    assert (job.progress_done, job.progress_total) == (2, 5)
    assert job.heartbeat_at > before + timedelta(minutes=2)


def test_job_redelivered_takes_over_when_its_worker_fell_silent():
    job = running_job(6, progress_done=40, progress_total=105)

    counted_task.apply((job.pk,))

    job.refresh_from_db()
    assert attempts == [job.pk]
    assert (job.status, job.attempts, job.progress_done) == (JobStatus.DONE, 2, 3)


def test_job_redelivered_leaves_alone_a_job_whose_worker_is_alive():
    job = running_job(4, progress_done=40, progress_total=105)

    counted_task.apply((job.pk,))

    job.refresh_from_db()
    assert attempts == []
    assert (job.status, job.attempts, job.progress_done) == (JobStatus.RUNNING, 1, 40)


def test_job_taken_over_stops_the_run_it_replaced():
    job = Job.objects.create(kind="tests.counted", title="Đếm")
    steps = []

    def work(job, progress):
        progress(1, 3)
        steps.append(1)
        # Meanwhile this worker stalls, and the broker's redelivery takes the job.
        Job.objects.filter(pk=job.pk).update(
            heartbeat_at=timezone.now() - timedelta(minutes=6)
        )
        assert claim_job(job.pk) is True
        progress(2, 3)
        steps.append(2)
        return {"document_ids": [1]}

    result = run_job(job.pk, work)

    job.refresh_from_db()
    assert result is None
    assert steps == [1]
    assert (job.status, job.attempts, job.result) == (JobStatus.RUNNING, 2, {})


def test_stale_jobs_fail_with_the_reason_after_their_worker_stopped():
    heard = datetime(2026, 6, 1, 2, 10, tzinfo=UTC)  # 09:10 in Hà Nội
    gone = running_job(0)
    Job.objects.filter(pk=gone.pk).update(heartbeat_at=heard)
    alive = running_job(0)
    Job.objects.filter(pk=alive.pk).update(heartbeat_at=heard + timedelta(minutes=5))
    queued = Job.objects.create(kind="tests.counted", title="Đếm")

    count = fail_stale_jobs(now=heard + timedelta(minutes=31))

    gone.refresh_from_db()
    alive.refresh_from_db()
    queued.refresh_from_db()
    assert count == 1
    assert gone.status == JobStatus.FAILED
    assert gone.message == (
        "Worker đã dừng khi đang làm việc này (tín hiệu cuối lúc 01/06/2026 09:10). "
        "Hãy chạy lại."
    )
    assert gone.finished_at == heard + timedelta(minutes=31)
    assert (alive.status, queued.status) == (JobStatus.RUNNING, JobStatus.QUEUED)


def test_stale_jobs_are_failed_by_celery_beat_every_five_minutes():
    from ocop.celery import app
    from ocop.tasks import fail_stale_jobs_task

    entry = app.conf.beat_schedule["fail-stale-jobs"]

    assert entry["task"] == fail_stale_jobs_task.name == "ocop.fail_stale_jobs"
    assert entry["schedule"].minute == set(range(0, 60, 5))


def test_stale_job_page_offers_to_run_it_again(
    client, lai_chau, django_capture_on_commit_callbacks
):
    user = UserFactory(username="tinh")
    job = running_job(45, created_by=user)
    fail_stale_jobs()
    client.force_login(user)

    page = client.get(reverse("ocop:job-detail", args=[job.pk]))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("ocop:job-run-again", args=[job.pk]))

    job.refresh_from_db()
    entry = AuditEntry.objects.get(action="ocop.job.restarted")
    assert "Worker đã dừng khi đang làm việc này" in page.content.decode()
    assert 'id="job-run-again"' in page.content.decode()
    assert response.url == reverse("ocop:job-detail", args=[job.pk])
    assert (job.status, job.attempts, job.message) == (JobStatus.DONE, 2, "")
    assert attempts == [job.pk]
    assert (entry.actor, entry.from_state, entry.to_state) == (user, "failed", "queued")
    assert entry.reason.startswith("Worker đã dừng khi đang làm việc này")


def test_job_run_again_is_hidden_from_a_district_officer_who_did_not_start_it(
    client, lai_chau
):
    from registry.enums import Role
    from tests.factories import TAM_DUONG, district

    job = running_job(45, created_by=UserFactory(username="tinh"))
    fail_stale_jobs()
    client.force_login(
        UserFactory(
            username="huyen", role=Role.DISTRICT_OFFICER, district=district(TAM_DUONG)
        )
    )

    response = client.post(reverse("ocop:job-run-again", args=[job.pk]))

    job.refresh_from_db()
    assert response.status_code == 404
    assert job.status == JobStatus.FAILED


def test_job_run_again_of_a_job_that_did_not_fail_changes_nothing(client, lai_chau):
    user = UserFactory(username="tinh")
    job = running_job(1, created_by=user)
    client.force_login(user)

    page = client.get(reverse("ocop:job-detail", args=[job.pk]))
    response = client.post(reverse("ocop:job-run-again", args=[job.pk]), follow=True)

    job.refresh_from_db()
    assert 'id="job-run-again"' not in page.content.decode()
    assert "Việc này không chạy lại được." in response.content.decode()
    assert (job.status, job.attempts) == (JobStatus.RUNNING, 1)
    assert not AuditEntry.objects.exists()
