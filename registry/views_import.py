"""Pages of the registration import: upload, preview, commit, result, history.

Only administrators and province programme staff reach them
(``registry.import_registrations``); everyone else gets a 403.
"""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.validators import MaxValueValidator
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.generic import DetailView, FormView, ListView, View
from rules.contrib.views import PermissionRequiredMixin

from ocop.jobs import start_job

from .enums import FIRST_PROGRAMME_YEAR, ImportStatus, last_programme_year
from .importer import ImportRefused, create_batch
from .importer.reader import check_stream
from .models import ImportBatch, Province
from .tasks import commit_registration_import

ISSUES_SHOWN = 1000


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Tệp danh sách đăng ký (.xlsx)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )
    year = forms.IntegerField(
        label=gettext_lazy("Năm chương trình"),
        required=False,
        min_value=FIRST_PROGRAMME_YEAR,
        help_text=gettext_lazy("Để trống để lấy năm ghi trong tiêu đề của bảng."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Next year's list may be drawn up before the year starts; no later one.
        year = self.fields["year"]
        year.max_value = last_programme_year()
        year.validators.append(MaxValueValidator(year.max_value))
        year.widget.attrs["max"] = year.max_value

    def clean_file(self):
        upload = self.cleaned_data["file"]
        try:
            check_stream(upload.file, upload.size)
        except ImportRefused as exc:
            raise forms.ValidationError(exc.message) from None
        return upload


def importer_province(user):
    """The province an import writes to: the user's own, else the first served."""
    if user.province_id:
        return user.province
    return Province.objects.get(code=settings.OCOP_PROVINCE_CODES[0])


def visible_batches(user):
    batches = ImportBatch.objects.select_related("created_by", "job", "province")
    if user.is_superuser:
        return batches
    return batches.filter(province_id=user.province_id)


class ImportPermissionMixin(LoginRequiredMixin, PermissionRequiredMixin):
    """Anonymous visitors go to the login page; other roles get a 403."""

    permission_required = "registry.import_registrations"


class ImportList(ImportPermissionMixin, ListView):
    template_name = "registry/import/list.html"
    context_object_name = "batches"
    paginate_by = 25

    def get_queryset(self):
        return visible_batches(self.request.user)


class ImportUpload(ImportPermissionMixin, FormView):
    template_name = "registry/import/upload.html"
    form_class = ImportUploadForm

    def form_valid(self, form):
        upload = form.cleaned_data["file"]
        with transaction.atomic():
            batch = create_batch(
                upload,
                name=upload.name,
                province=importer_province(self.request.user),
                user=self.request.user,
                year=form.cleaned_data["year"],
            )
        return redirect("registry:import-detail", pk=batch.pk)


class ImportDetail(ImportPermissionMixin, DetailView):
    """The preview while the batch waits for its commit; the result once written."""

    context_object_name = "batch"

    def get_queryset(self):
        return visible_batches(self.request.user)

    def get_template_names(self):
        if self.object.status == ImportStatus.COMMITTED:
            return ["registry/import/result.html"]
        return ["registry/import/preview.html"]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        batch = self.object
        job = batch.job
        is_running = job is not None and not job.is_finished
        preview = batch.preview or {}
        issues = preview.get("issues", [])
        context.update(
            job=job,
            is_running=is_running,
            preview=preview,
            issues=issues[:ISSUES_SHOWN],
            issues_hidden=max(0, len(issues) - ISSUES_SHOWN),
            count_rows=_count_rows(
                batch.summary.get("counts") or preview.get("counts")
            ),
            can_commit=(
                not is_running
                and batch.status == ImportStatus.PREVIEWED
                and "counts" in preview
                and not preview.get("errors")
            ),
        )
        return context


class ImportProgress(ImportPermissionMixin, DetailView):
    """The job's progress, polled by htmx; reloads the page once the job is over."""

    template_name = "registry/import/includes/progress.html"
    context_object_name = "batch"

    def get_queryset(self):
        return visible_batches(self.request.user)

    def render_to_response(self, context, **kwargs):
        job = self.object.job
        if job is None or job.is_finished:
            response = HttpResponse(status=204)
            response["HX-Refresh"] = "true"
            return response
        context["job"] = job
        return super().render_to_response(context, **kwargs)


class ImportCommit(ImportPermissionMixin, View):
    def post(self, request, pk):
        batch = get_object_or_404(visible_batches(request.user), pk=pk)
        preview = batch.preview or {}
        running = batch.job is not None and not batch.job.is_finished
        if (
            batch.status != ImportStatus.PREVIEWED
            or running
            or "counts" not in preview
            or preview.get("errors")
        ):
            messages.error(request, _("Lần nhập này không thể ghi vào cơ sở dữ liệu."))
            return redirect("registry:import-detail", pk=batch.pk)
        with transaction.atomic():
            batch.job = start_job(
                commit_registration_import,
                kind="registry.import.commit",
                title=_("Ghi danh sách đăng ký «%(name)s»")
                % {"name": batch.original_name},
                params={"batch": batch.pk, "language": get_language()},
                user=request.user,
            )
            batch.save(update_fields=["job"])
        return redirect("registry:import-detail", pk=batch.pk)


def _count_rows(counts):
    if not counts:
        return []
    labels = {
        "producers": _("Chủ thể"),
        "products": _("Sản phẩm"),
        "registrations": _("Đăng ký"),
    }
    return [(key, label, counts.get(key, {})) for key, label in labels.items()]
