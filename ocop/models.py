"""What every app shares: the audit log and the record of background jobs."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .enums import JOB_FINAL_STATUSES, DocumentKind, JobStatus


class AuditEntry(models.Model):
    """Who did what to which object, when, and from which state.

    ``action`` is namespaced (``evaluation.dossier.referred``); ``data`` keeps the
    previous state and whatever the action needs to be read back later.
    """

    created_at = models.DateTimeField(_("thời điểm"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người thực hiện"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    action = models.CharField(_("hành động"), max_length=100, db_index=True)
    content_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.SET_NULL
    )
    object_id = models.CharField(max_length=64, blank=True, db_index=True)
    target = GenericForeignKey("content_type", "object_id")
    object_repr = models.CharField(_("đối tượng"), max_length=300, blank=True)
    from_state = models.CharField(_("từ trạng thái"), max_length=50, blank=True)
    to_state = models.CharField(_("sang trạng thái"), max_length=50, blank=True)
    reason = models.TextField(_("lý do"), blank=True)
    data = models.JSONField(_("dữ liệu"), default=dict, blank=True)

    class Meta:
        verbose_name = _("nhật ký")
        verbose_name_plural = _("nhật ký")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self):
        return f"{self.created_at:%d/%m/%Y %H:%M} {self.action} {self.object_repr}"


class Job(models.Model):
    """A piece of long work done in the background, with progress people can watch.

    A running job's worker touches ``heartbeat_at`` as it makes progress: a job whose
    heartbeat stopped lost its worker, and may be taken over or failed (``ocop.jobs``).
    """

    kind = models.CharField(_("loại việc"), max_length=100, db_index=True)
    status = models.CharField(
        _("trạng thái"),
        max_length=20,
        choices=JobStatus.choices,
        default=JobStatus.QUEUED,
        db_index=True,
    )
    title = models.CharField(_("tiêu đề"), max_length=300, blank=True)
    params = models.JSONField(_("tham số"), default=dict, blank=True)
    progress_done = models.PositiveIntegerField(_("đã xong"), default=0)
    progress_total = models.PositiveIntegerField(_("tổng số"), default=0)
    message = models.TextField(_("thông báo"), blank=True)
    result = models.JSONField(_("kết quả"), default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người tạo"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="jobs",
    )
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    started_at = models.DateTimeField(_("bắt đầu lúc"), null=True, blank=True)
    finished_at = models.DateTimeField(_("xong lúc"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("tín hiệu gần nhất"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("số lần chạy"), default=0)
    # The Celery task that does the work, so that a failed job can be run again.
    task_name = models.CharField(_("tác vụ"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("việc chạy nền")
        verbose_name_plural = _("việc chạy nền")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.title or self.kind

    @property
    def is_finished(self):
        return self.status in JOB_FINAL_STATUSES

    @property
    def can_run_again(self):
        return self.status == JobStatus.FAILED and bool(self.task_name)

    @property
    def percent(self):
        if not self.progress_total:
            return 100 if self.status == JobStatus.DONE else 0
        return min(100, round(100 * self.progress_done / self.progress_total))


def document_upload_to(instance, filename):
    folder = instance.key.replace(":", "-").replace("/", "-")
    return f"documents/{instance.kind}/{folder}/v{instance.version}-{filename}"


class Document(models.Model):
    """A file the programme produced (certificate, decision, report), one version.

    ``key`` names what it is about (``certificate:12``); ``input_hash`` is the SHA-256
    of the data it was made from. The latest version is made from the data as it is
    now: the same data never makes a second file in a row, changed data makes the next
    version, and earlier versions stay on record and downloadable.
    """

    kind = models.CharField(
        _("loại tài liệu"), max_length=30, choices=DocumentKind.choices, db_index=True
    )
    key = models.CharField(_("khoá"), max_length=200)
    version = models.PositiveIntegerField(_("phiên bản"), default=1)
    title = models.CharField(_("tiêu đề"), max_length=300)
    input_hash = models.CharField(_("mã băm dữ liệu"), max_length=64)
    input_data = models.JSONField(_("dữ liệu đầu vào"), default=dict, blank=True)
    file = models.FileField(_("tệp"), upload_to=document_upload_to, max_length=300)
    file_name = models.CharField(_("tên tệp"), max_length=200)
    media_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField(_("dung lượng"), default=0)
    province = models.ForeignKey(
        "registry.Province",
        verbose_name=_("tỉnh"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Set on what a district's own rounds produced (its certificates and decisions),
    # which that district's officers may see.
    district = models.ForeignKey(
        "registry.District",
        verbose_name=_("huyện"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # What the documents page filters on: the decision and the round it is about,
    # and its year (of the decision, the round, the report's day or the list).
    decision_number = models.CharField(
        _("số quyết định"), max_length=100, blank=True, db_index=True
    )
    round = models.ForeignKey(
        "evaluation.Round",
        verbose_name=_("đợt đánh giá"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    year = models.PositiveSmallIntegerField(_("năm"), null=True, blank=True)
    job = models.ForeignKey(
        Job,
        verbose_name=_("việc chạy nền"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="documents",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người tạo"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)

    class Meta:
        verbose_name = _("tài liệu")
        verbose_name_plural = _("tài liệu")
        ordering = ["kind", "key", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "key", "version"], name="document_version_once"
            ),
        ]
        indexes = [models.Index(fields=["year", "kind"], name="document_year_kind")]

    def __str__(self):
        return f"{self.title} (v{self.version})"

    def get_absolute_url(self):
        return reverse("ocop:document-download", args=[self.pk])
