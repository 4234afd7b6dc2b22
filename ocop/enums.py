from django.db import models
from django.utils.translation import pgettext_lazy


class JobStatus(models.TextChoices):
    QUEUED = "queued", pgettext_lazy("job status", "Đang chờ")
    RUNNING = "running", pgettext_lazy("job status", "Đang chạy")
    DONE = "done", pgettext_lazy("job status", "Hoàn thành")
    FAILED = "failed", pgettext_lazy("job status", "Lỗi")


JOB_FINAL_STATUSES = frozenset({JobStatus.DONE, JobStatus.FAILED})
