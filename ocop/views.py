"""Jobs people watch, the documents they made, and the public verification page."""

from datetime import date

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import DetailView, TemplateView, View

from registry.enums import FIRST_PROGRAMME_YEAR
from registry.permissions import is_district_officer

from .downloads import file_response
from .enums import JOB_FINAL_STATUSES, DocumentKind
from .forms import (
    JOB_CERTIFICATE,
    JOB_DECISION,
    JOB_DECISION_CERTIFICATES,
    JOB_ROUND_SUMMARY,
    REPORT_DAYS_MAX,
    SIGNER_NAME_MAX,
    SIGNER_TITLE_MAX,
    DocumentFilterForm,
    DocumentJobForm,
)
from .jobs import run_again, start_job
from .models import Document, Job
from .permissions import visible_documents, visible_jobs

RECENT_JOBS = 10
DOCUMENTS_PER_PAGE = 50


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

    A district officer asks only for its own district's documents: the
    certificates and decisions its People's Committee issued (in its rounds, or
    after a province round), the score summaries of its rounds; the programme
    reports are the province's.
    """
    from evaluation.documents.build import decisions
    from evaluation.documents.services import report_titles
    from evaluation.permissions import (
        issued_in_district,
        visible_certificates,
        visible_rounds,
    )
    from registry.permissions import visible_registrations

    rounds = visible_rounds(user).select_related("tier").order_by("-year", "closes_on")
    if _district_of(user) is not None:
        own = visible_certificates(user).filter(issued_in_district(user.district_id))
        return {
            "decisions": list(decisions(own)),
            "rounds": list(rounds),
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


def latest_versions(documents):
    """The latest version of each document among ``documents``."""
    newer = Document.objects.filter(
        kind=OuterRef("kind"), key=OuterRef("key"), version__gt=OuterRef("version")
    )
    return documents.filter(~Exists(newer))


def _filter_choices(documents):
    """What the documents page's filters offer: what the documents are about."""
    from evaluation.models import Round

    about = documents.order_by()
    return {
        "kinds": DocumentKind.choices,
        "decisions": sorted(
            set(
                about.exclude(decision_number="")
                .values_list("decision_number", flat=True)
                .distinct()
            )
        ),
        "rounds": list(
            Round.objects.filter(
                pk__in=about.exclude(round=None).values("round_id")
            ).order_by("-year", "name")
        ),
        "years": sorted(
            set(about.exclude(year=None).values_list("year", flat=True).distinct()),
            reverse=True,
        ),
    }


class DocumentList(LoginRequiredMixin, TemplateView):
    """The documents page: what was made (the latest version of each, with the older
    ones), a page at a time and filtered; and the forms to make more."""

    template_name = "documents/document_list.html"

    def get_context_data(self, **kwargs):
        from evaluation.reports import EXPIRING_WITHIN_DAYS

        context = super().get_context_data(**kwargs)
        user = self.request.user
        visible = visible_documents(user)
        filters = DocumentFilterForm(
            self.request.GET or None, **_filter_choices(visible)
        )
        latest = filters.filter(latest_versions(visible))
        paginator = Paginator(
            latest.select_related("created_by").order_by("-created_at", "-id"),
            DOCUMENTS_PER_PAGE,
        )
        page = paginator.get_page(self.request.GET.get("page"))
        groups = {(document.kind, document.key): [document] for document in page}
        if groups:
            older = (
                visible.filter(key__in={key for _kind, key in groups})
                .exclude(pk__in=[document.pk for document in page])
                .only("pk", "kind", "key", "version")
                .order_by("-version")
            )
            for document in older:
                versions = groups.get((document.kind, document.key))
                if versions is not None:
                    versions.append(document)
        context.update(
            job_form=kwargs.get("job_form"),
            document_groups=list(groups.values()),
            filters=filters,
            paginator=paginator,
            page_obj=page,
            is_paginated=paginator.num_pages > 1,
            jobs=list(visible_jobs(user).select_related("created_by")[:RECENT_JOBS]),
            can_start=user.has_perm("ocop.start_document_jobs"),
            today=timezone.localdate(),
            expiring_days=EXPIRING_WITHIN_DAYS,
            first_report_day=date(FIRST_PROGRAMME_YEAR, 1, 1),
            report_days_max=REPORT_DAYS_MAX,
            signer_title_max=SIGNER_TITLE_MAX,
            signer_name_max=SIGNER_NAME_MAX,
        )
        if context["can_start"]:
            context.update(_choices(user))
        return context


class DocumentJobStart(LoginRequiredMixin, PermissionRequiredMixin, View):
    """Start (or rejoin, if one is already under way) a document job."""

    permission_required = "ocop.start_document_jobs"

    def post(self, request):
        from evaluation import tasks
        from evaluation.reports import EXPIRING_WITHIN_DAYS

        choices = _choices(request.user)
        form = DocumentJobForm(
            request.POST,
            decisions=[item["decision_number"] for item in choices["decisions"]],
            rounds=[round_.pk for round_ in choices["rounds"]],
            years=choices["years"],
            reports=choices["reports"],
        )
        if not form.is_valid():
            # Back on the documents page, each refusal at its field, what was
            # typed kept.
            view = DocumentList()
            view.setup(request)
            context = view.get_context_data(job_form=form)
            return TemplateResponse(request, view.template_name, context, status=400)
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
                params["signer_title"] = data["signer_title"].strip()
                params["signer_name"] = data["signer_name"].strip()
        elif job_kind == JOB_ROUND_SUMMARY:
            round_ = next(r for r in choices["rounds"] if r.pk == data["round_id"])
            params, task, total = {"round_id": round_.pk}, tasks.render_round_summary, 1
            title = _("Tổng hợp điểm: %(round)s") % {"round": round_.name}
        else:
            params = {
                "report": data["report"],
                "province_id": request.user.province_id,
            }
            task, total = tasks.render_report, 1
            title = str(choices["reports"][data["report"]])
            if data["report"] == "registrations":
                params["year"] = data["year"]
                title = f"{title} {data['year']}"
            else:
                day = data["day"] or timezone.localdate()
                params["day"] = day.isoformat()
                title = _("%(title)s, ngày %(day)s") % {
                    "title": title,
                    "day": day.strftime("%d/%m/%Y"),
                }
            if data["report"] == "certificates":
                params["days"] = data["days"] or EXPIRING_WITHIN_DAYS
        job = _start_or_rejoin(
            task, f"documents.{job_kind}", title, params, request.user, total
        )
        return redirect("ocop:job-detail", job.pk)


def _start_or_rejoin(task, kind, title, params, user, total):
    """The job under way for the same thing, or a new one."""
    job = (
        Job.objects.filter(kind=kind, params=params)
        .exclude(status__in=JOB_FINAL_STATUSES)
        .first()
    )
    if job is None:
        job = start_job(
            task, kind=kind, title=title, params=params, user=user, total=total
        )
    return job


class CertificateDocumentStart(LoginRequiredMixin, PermissionRequiredMixin, View):
    """Make one certificate's PDF (or rejoin the job making it)."""

    permission_required = "ocop.start_document_jobs"

    def post(self, request, pk):
        from evaluation import tasks
        from evaluation.documents.access import makeable_certificates
        from evaluation.documents.services import certificate_title

        certificate = get_object_or_404(makeable_certificates(request.user), pk=pk)
        job = _start_or_rejoin(
            tasks.render_certificate,
            f"documents.{JOB_CERTIFICATE}",
            certificate_title(certificate),
            {"certificate_id": certificate.pk},
            request.user,
            1,
        )
        return redirect("ocop:job-detail", job.pk)


class Verification(TemplateView):
    """Public: is this certificate valid, expired or revoked? No login needed."""

    template_name = "documents/verify.html"

    def get_context_data(self, **kwargs):
        from evaluation.documents.verification import product_id_from_token
        from evaluation.enums import DOSSIER_OPEN_STATES
        from evaluation.models import Certificate

        context = super().get_context_data(**kwargs)
        token = kwargs["token"]
        today = timezone.localdate()
        certificates = Certificate.objects.select_related("product").with_state(today)
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
        status = certificate.state
        newer = certificate.followed_by.order_by("-issued_on").first()
        # Expired, but its product filed a re-evaluation (late): it holds until
        # the result, at most 180 days past expiry.
        is_in_grace = (
            newer is None
            and certificate.is_in_grace_on(today)
            and certificate.following_dossiers.filter(
                state__in=DOSSIER_OPEN_STATES, filed_on__isnull=False
            ).exists()
        )
        context.update(
            certificate=certificate,
            status=status,
            status_label=certificate.state_label,
            newer=newer,
            is_in_grace=is_in_grace,
        )
        return context
