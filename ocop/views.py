"""Jobs people watch, the documents they made, and the public verification page."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import DetailView, TemplateView, View

from registry.permissions import is_district_officer

from .downloads import file_response
from .enums import JOB_FINAL_STATUSES
from .forms import (
    JOB_DECISION,
    JOB_DECISION_CERTIFICATES,
    JOB_ROUND_SUMMARY,
    DocumentJobForm,
)
from .jobs import run_again, start_job
from .models import Job
from .permissions import visible_documents, visible_jobs

RECENT_JOBS = 10
DOCUMENTS_SHOWN = 200


class JobDetail(LoginRequiredMixin, DetailView):
    """A job's state; the page polls itself through htmx until the job ends."""

    context_object_name = "job"

    def get_queryset(self):
        return visible_jobs(self.request.user).select_related("created_by")

    def get_template_names(self):
        if self.request.htmx:
            return ["documents/includes/job_status.html"]
        return ["documents/job_detail.html"]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        ids = self.object.result.get("document_ids", [])
        # Only those the viewer may download: the page links each of them.
        found = visible_documents(self.request.user).in_bulk(ids)
        # In the order the job made them: the bundle first, then each certificate.
        context["documents"] = [found[pk] for pk in ids if pk in found]
        context["can_run_again"] = self.object.can_run_again and (
            self.request.user.has_perm("ocop.run_job_again", self.object)
        )
        return context


class JobRunAgain(LoginRequiredMixin, View):
    """Queue a failed job again (its worker died, or a fault was fixed since)."""

    def post(self, request, pk):
        job = get_object_or_404(visible_jobs(request.user), pk=pk)
        if not request.user.has_perm("ocop.run_job_again", job):
            raise PermissionDenied
        if run_again(job, request.user):
            messages.success(request, _("Đã xếp việc vào hàng đợi để chạy lại."))
        else:
            messages.warning(request, _("Việc này không chạy lại được."))
        return redirect("ocop:job-detail", job.pk)


class DocumentDownload(LoginRequiredMixin, View):
    def get(self, request, pk):
        document = get_object_or_404(visible_documents(request.user), pk=pk)
        return file_response(
            request,
            document.file,
            filename=document.file_name,
            content_type=document.media_type,
        )


def _district_of(user):
    """The district a district officer's document jobs keep to; None for the rest."""
    return user.district_id if is_district_officer(user) else None


def _choices(user):
    """What this user may ask documents for: decisions, rounds, years, reports.

    A district officer asks only for the certificates and decisions of its own
    district's rounds; the summaries and the programme reports are the province's.
    """
    from evaluation.documents.build import decisions
    from evaluation.documents.services import report_titles
    from evaluation.permissions import visible_certificates, visible_rounds
    from registry.permissions import visible_registrations

    rounds = visible_rounds(user).select_related("tier").order_by("-year", "closes_on")
    if _district_of(user) is not None:
        own = visible_certificates(user).filter(evaluation__round__in=rounds)
        return {
            "decisions": list(decisions(own)),
            "rounds": [],
            "years": [],
            "reports": {},
        }
    years = (
        visible_registrations(user).order_by().values_list("year", flat=True).distinct()
    )
    return {
        "decisions": list(decisions(visible_certificates(user))),
        "rounds": list(rounds),
        "years": sorted(set(years), reverse=True),
        "reports": report_titles(),
    }


class DocumentList(LoginRequiredMixin, TemplateView):
    """The documents page: what was made (every version), and buttons to make more."""

    template_name = "documents/document_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        documents = list(
            visible_documents(user)
            .select_related("created_by")
            .order_by("-created_at", "-id")[:DOCUMENTS_SHOWN]
        )
        groups = {}
        for document in documents:
            groups.setdefault((document.kind, document.key), []).append(document)
        for versions in groups.values():
            versions.sort(key=lambda document: -document.version)
        context["document_groups"] = list(groups.values())
        context["jobs"] = list(
            visible_jobs(user).select_related("created_by")[:RECENT_JOBS]
        )
        context["can_start"] = user.has_perm("ocop.start_document_jobs")
        if context["can_start"]:
            context.update(_choices(user))
        return context


class DocumentJobStart(LoginRequiredMixin, PermissionRequiredMixin, View):
    """Start (or rejoin, if one is already under way) a document job."""

    permission_required = "ocop.start_document_jobs"

    def post(self, request):
        from evaluation import tasks

        choices = _choices(request.user)
        form = DocumentJobForm(
            request.POST,
            decisions=[item["decision_number"] for item in choices["decisions"]],
            rounds=[round_.pk for round_ in choices["rounds"]],
            years=choices["years"],
            reports=choices["reports"],
        )
        if not form.is_valid():
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, error)
            return redirect("ocop:document-list")
        data = form.cleaned_data
        job_kind = data["job"]
        if job_kind in (JOB_DECISION_CERTIFICATES, JOB_DECISION):
            number = data["decision_number"]
            params = {
                "decision_number": number,
                "province_id": request.user.province_id,
            }
            if _district_of(request.user) is not None:
                params["district_id"] = _district_of(request.user)
            count = next(
                item["count"]
                for item in choices["decisions"]
                if item["decision_number"] == number
            )
            if job_kind == JOB_DECISION_CERTIFICATES:
                task, total = tasks.render_decision_certificates, count
                title = _("Giấy chứng nhận theo Quyết định %(number)s") % {
                    "number": number
                }
            else:
                task, total = tasks.render_decision, 2
                title = _("Quyết định %(number)s và phụ lục") % {"number": number}
        elif job_kind == JOB_ROUND_SUMMARY:
            round_ = next(r for r in choices["rounds"] if r.pk == data["round_id"])
            params, task, total = {"round_id": round_.pk}, tasks.render_round_summary, 1
            title = _("Tổng hợp điểm: %(round)s") % {"round": round_.name}
        else:
            params = {
                "report": data["report"],
                "province_id": request.user.province_id,
            }
            if data["report"] == "registrations":
                params["year"] = data["year"]
            task, total = tasks.render_report, 1
            title = str(choices["reports"][data["report"]])
            if data["report"] == "registrations":
                title = f"{title} {data['year']}"
        kind = f"documents.{job_kind}"
        job = (
            Job.objects.filter(kind=kind, params=params)
            .exclude(status__in=JOB_FINAL_STATUSES)
            .first()
        )
        if job is None:
            job = start_job(
                task,
                kind=kind,
                title=title,
                params=params,
                user=request.user,
                total=total,
            )
        return redirect("ocop:job-detail", job.pk)


class Verification(TemplateView):
    """Public: is this certificate valid, expired or revoked? No login needed."""

    template_name = "documents/verify.html"

    def get_context_data(self, **kwargs):
        from evaluation.documents.verification import product_id_from_token
        from evaluation.enums import CertificateStatus
        from evaluation.models import Certificate

        context = super().get_context_data(**kwargs)
        token = kwargs["token"]
        certificates = Certificate.objects.select_related("product")
        certificate = certificates.filter(verification_code=token).first()
        product_id = None if certificate else product_id_from_token(token)
        if product_id is not None:
            certificate = (
                certificates.filter(product_id=product_id)
                .order_by("-issued_on", "-id")
                .first()
            )
        if certificate is None:
            raise Http404(_("Không có giấy chứng nhận này."))
        today = timezone.localdate()
        if certificate.status == CertificateStatus.REVOKED:
            status = CertificateStatus.REVOKED
        elif certificate.status == CertificateStatus.EXPIRED or (
            certificate.expires_on < today
        ):
            status = CertificateStatus.EXPIRED
        else:
            status = CertificateStatus.VALID
        context.update(
            certificate=certificate,
            status=status,
            status_label=CertificateStatus(status).label,
            newer=certificate.followed_by.order_by("-issued_on").first(),
        )
        return context
