from django.db import models
from django.utils.translation import pgettext_lazy


class JobStatus(models.TextChoices):
    QUEUED = "queued", pgettext_lazy("job status", "Đang chờ")
    RUNNING = "running", pgettext_lazy("job status", "Đang chạy")
    DONE = "done", pgettext_lazy("job status", "Hoàn thành")
    FAILED = "failed", pgettext_lazy("job status", "Lỗi")


JOB_FINAL_STATUSES = frozenset({JobStatus.DONE, JobStatus.FAILED})


class DocumentKind(models.TextChoices):
    """What a generated file is, in the programme's words."""

    CERTIFICATE = "certificate", pgettext_lazy("document kind", "Giấy chứng nhận")
    CERTIFICATE_BUNDLE = (
        "certificate_bundle",
        pgettext_lazy("document kind", "Giấy chứng nhận của một quyết định"),
    )
    DECISION = "decision", pgettext_lazy("document kind", "Quyết định phê duyệt")
    DECISION_ANNEX = (
        "decision_annex",
        pgettext_lazy("document kind", "Phụ lục quyết định (.xlsx)"),
    )
    ROUND_SUMMARY = (
        "round_summary",
        pgettext_lazy("document kind", "Tổng hợp điểm đợt đánh giá"),
    )
    REPORT = "report", pgettext_lazy("document kind", "Báo cáo")
    REGISTRATION_LIST = (
        "registration_list",
        pgettext_lazy("document kind", "Danh sách đăng ký (.xlsx)"),
    )
