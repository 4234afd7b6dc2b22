"""Dossier pages: the list (overdue commune assessments stand out), the detail with
its registration, product set, self-assessment, evidence, samples and history, and
the moves officers make on it."""

from datetime import date

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import OuterRef, Q, Subquery
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import DetailView, ListView, View

from ocop.downloads import file_response
from ocop.models import AuditEntry
from ocop.paging import ForgivingPagination
from registry.enums import RegistrationKind
from registry.filters import search_words
from registry.models import District, Product, ProductSet, Registration
from registry.permissions import is_province_wide

from .. import services
from ..certificate_forms import ChangesSinceLastForm
from ..enums import (
    DOSSIER_EDITABLE_STATES,
    DOSSIER_OPEN_STATES,
    DossierState,
    TierKind,
)
from ..forms import (
    CommuneAssessmentForm,
    EvidenceForm,
    MinistryResultForm,
    ProductSetForm,
    ReturnForm,
    SamplesForm,
)
from ..models import (
    Certificate,
    Dossier,
    Evidence,
    MemberScore,
    latest_overdue_receipt,
)
from ..permissions import (
    can_open,
    visible_dossiers,
    visible_rounds,
    with_result_visibility,
)
from ..renewal import reevaluation_timing
from ..services.dossiers import RETURNABLE_STATES
from ..suggest import suggest_product_set
from .common import PAGE_SIZE, apply_to_form, report_refusal
from .sheet import bands_json, js_messages, sheet_parts


class DossierList(ForgivingPagination, LoginRequiredMixin, ListView):
    """The dossiers the user may see, filtered by state, year, district, overdue
    assessment and name, with their total; one query for the rows, one for the
    total, whatever their number."""

    template_name = "evaluation/dossier_list.html"
    paginate_by = PAGE_SIZE
    context_object_name = "dossiers"

    def get_queryset(self):
        dossiers = visible_dossiers(self.request.user).select_related(
            "registration__product__producer",
            "registration__district",
            "registration__commune",
            "current_tier",
            "programme_year",
            "commune_assessment",
        )
        get = self.request.GET
        if get.get("state") in DossierState.values:
            dossiers = dossiers.filter(state=get["state"])
        if get.get("year", "").isdigit():
            dossiers = dossiers.filter(programme_year__year=int(get["year"]))
        if get.get("district", "").isdigit():
            dossiers = dossiers.filter(registration__district_id=int(get["district"]))
        if get.get("overdue"):
            dossiers = dossiers.filter(overdue_assessments(date.today()))
        # Each word, without accents or case, in the product's or producer's
        # names, address or phone (their search_text, as on the registry's lists).
        for word in search_words(get.get("q", "")):
            dossiers = dossiers.filter(
                Q(registration__product__search_text__contains=word)
                | Q(registration__product__producer__search_text__contains=word)
            )
        return dossiers.order_by("-programme_year__year", "state", "id")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        today = date.today()
        for dossier in context["dossiers"]:
            dossier.is_overdue = dossier.is_assessment_overdue(today)
        context["states"] = DossierState.choices
        user = self.request.user
        if is_province_wide(user):
            # The districts' officers see their own district only: no choice.
            districts = District.objects.order_by("code")
            if not user.is_superuser:
                districts = districts.filter(province_id=user.province_id)
            context["districts"] = districts
        return context


def overdue_assessments(today):
    """The ``Q`` over ``Dossier`` of those whose commune is past its 15 working days:
    the same rule as ``Dossier.is_assessment_overdue``, in the list's query."""
    return Q(
        state=DossierState.SUBMITTED,
        received_on__lte=latest_overdue_receipt(today),
        commune_assessment__isnull=True,
    )


def registration_form_rows(form_data):
    """The registration form a dossier keeps (``registration_form_data``), as
    ``(label, value)`` rows in the form's order; empty fields are left out."""
    labels = {
        "kind": _label(Registration, "kind"),
        "year": _label(Registration, "year"),
        "product": _label(Registration, "product"),
        "producer": _label(Product, "producer"),
        "district": _label(Registration, "district"),
        "commune": _label(Registration, "commune"),
        "previous_stars": _label(Registration, "previous_stars"),
        "previous_year": _label(Registration, "previous_year"),
    }
    known = [key for key in labels if key in form_data]
    rows = []
    for key in known + [key for key in form_data if key not in labels]:
        value = form_data[key]
        if value in (None, ""):
            continue
        if key == "kind" and value in RegistrationKind.values:
            value = RegistrationKind(value).label
        elif key == "previous_stars":
            value = f"{value}★"
        # As text: a year is not a number to print with a thousands separator.
        rows.append((labels.get(key, key), str(value)))
    return rows


def _label(model, field):
    return capfirst(model._meta.get_field(field).verbose_name)


class DossierDetail(LoginRequiredMixin, DetailView):
    template_name = "evaluation/dossier_detail.html"
    context_object_name = "dossier"

    def get_queryset(self):
        return visible_dossiers(self.request.user).select_related(
            "registration__product__producer",
            "registration__product__product_set",
            "registration__district",
            "registration__commune",
            "current_tier",
            "programme_year__rulebook",
            "sheet__product_set",
            "follows",
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user, dossier = self.request.user, self.object
        product = dossier.registration.product
        can_change = user.has_perm("evaluation.change_dossier", dossier)
        is_editable = can_change and dossier.state in DOSSIER_EDITABLE_STATES
        assessment = getattr(dossier, "commune_assessment", None)
        suggestion = suggest_product_set(product.name)
        proposed = (
            ProductSet.objects.filter(number=suggestion.number).first()
            if suggestion and not product.product_set_id
            else None
        )
        evaluations = list(
            with_result_visibility(dossier.evaluations.all(), user)
            .select_related(
                "round", "tier", "rulebook", "sheet", "certifying_tier", "rejected_by"
            )
            .annotate(
                is_round_openable=can_open(visible_rounds, user, "round_id"),
                sheets_changed_at=Subquery(
                    MemberScore.objects.filter(
                        evaluation=OuterRef("pk"), submitted_at__isnull=False
                    )
                    .order_by("-updated_at")
                    .values("updated_at")[:1]
                ),
            )
            .prefetch_related("certificates")
        )
        for evaluation in evaluations:
            evaluation.is_stale = (
                evaluation.is_result_shown
                and evaluation.computed_at is not None
                and evaluation.sheets_changed_at is not None
                and evaluation.sheets_changed_at > evaluation.computed_at
            )
        services.explain_results(
            [e for e in evaluations if e.is_result_shown and not e.blocked_reasons]
        )
        context.update(
            product=product,
            registration=dossier.registration,
            assessment=assessment,
            can_change=can_change,
            is_editable=is_editable,
            # The product page's permission: a product's set is the product's.
            can_confirm_product_set=dossier.state in DOSSIER_EDITABLE_STATES
            and user.has_perm("registry.change_product", product),
            is_open=dossier.state in DOSSIER_OPEN_STATES,
            can_assess=user.has_perm("evaluation.assess_dossier", dossier),
            can_return=dossier.state in RETURNABLE_STATES
            and user.has_perm("evaluation.return_dossier", dossier),
            can_record_ministry=user.has_perm(
                "evaluation.record_ministry_result", dossier
            )
            and dossier.state == DossierState.WAITING
            and dossier.current_tier
            and dossier.current_tier.kind == TierKind.RECORDED,
            suggestion=suggestion,
            product_set_form=kwargs.get("product_set_form")
            or ProductSetForm(
                initial={"product_set": product.product_set_id or proposed}
            ),
            assessment_form=kwargs.get("assessment_form")
            or CommuneAssessmentForm(
                initial={"assessed_on": date.today()},
                received_on=dossier.received_on,
            ),
            evidence_form=kwargs.get("evidence_form")
            or EvidenceForm(sheet=dossier.sheet),
            samples_form=kwargs.get("samples_form")
            or SamplesForm(
                initial={
                    "samples_received": dossier.samples_received or None,
                    "samples_received_on": dossier.samples_received_on,
                },
                first_day=first_day_of(dossier),
            ),
            reason_form=kwargs.get("reason_form") or ReturnForm(),
            ministry_form=kwargs.get("ministry_form")
            or MinistryResultForm(first_day=first_day_of(dossier)),
            form_rows=registration_form_rows(dossier.form_data),
            evidence=dossier.evidence.select_related("criterion"),
            evaluations=evaluations,
            history=AuditEntry.objects.filter(
                content_type=ContentType.objects.get_for_model(Dossier),
                object_id=str(dossier.pk),
            )
            .select_related("actor")
            .order_by("-id"),
            is_overdue=dossier.is_assessment_overdue(),
            # The certificate it renews or raises, in its state as of today.
            followed=dossier.follows_id
            and Certificate.objects.with_grace().filter(pk=dossier.follows_id).first(),
        )
        context.update(self.following_context(dossier, user, kwargs))
        if dossier.sheet_id:
            context["parts"] = sheet_parts(dossier.sheet, dossier.self_assessment)
            context["bands_json"] = bands_json(dossier.rulebook)
            context["messages_json"] = js_messages()
        return context

    @staticmethod
    def following_context(dossier, user, kwargs):
        """What a re-evaluation or upgrade shows: the certificate it follows (or
        that it has none yet, and where to record one), a re-evaluation's window,
        and what an upgrade says changed."""
        registration = dossier.registration
        if registration.kind not in services.FOLLOWING_KINDS:
            return {"is_following_kind": False}
        product = registration.product
        return {
            "is_following_kind": True,
            "is_upgrade": registration.kind == RegistrationKind.UPGRADE,
            "timing": reevaluation_timing(dossier),
            "can_record_earlier": dossier.follows_id is None
            and user.has_perm("evaluation.record_earlier_certificate", product),
            "changes_form": kwargs.get("changes_form")
            or ChangesSinceLastForm(
                initial={"changes_since_last": dossier.changes_since_last}
            ),
        }


def first_day_of(dossier):
    """The first day a date about the dossier may be: 1 January of its programme
    year."""
    return date(dossier.programme_year.year, 1, 1)


class DossierAction(LoginRequiredMixin, View):
    """A POST that moves a dossier through a service, then back to its page."""

    permission = "evaluation.change_dossier"

    def post(self, request, pk):
        self.dossier = get_object_or_404(
            visible_dossiers(request.user).select_related(
                "registration__product", "programme_year__rulebook", "sheet"
            ),
            pk=pk,
        )
        if not self.allowed(request.user, self.dossier):
            raise PermissionDenied
        try:
            response = self.act(request, self.dossier)
        except ValidationError as error:
            report_refusal(request, error)
            response = None
        return response or redirect("evaluation:dossier-detail", pk=self.dossier.pk)

    def allowed(self, user, dossier):
        return user.has_perm(self.permission, dossier)

    def rerender(self, request, **forms):
        view = DossierDetail()
        view.setup(request, pk=self.dossier.pk)
        view.object = self.dossier
        context = view.get_context_data(object=self.dossier, **forms)
        return TemplateResponse(request, view.template_name, context, status=400)


class DossierFormAction(DossierAction):
    """A move made from one of the page's small forms.

    A refusal, the form's or the service's, comes back on the dossier's page at the
    field it is about, with what was typed kept; ``form_name`` is the form's name in
    the page's context. ``apply`` returns False when the move changed nothing: the
    page then says ``unchanged`` rather than ``success``.
    """

    form_class = None
    form_name = ""
    success = ""
    unchanged = ""

    def make_form(self, request, dossier):
        return self.form_class(request.POST)

    def act(self, request, dossier):
        form = self.make_form(request, dossier)
        if form.is_valid():
            try:
                changed = self.apply(request, dossier, form.cleaned_data)
            except ValidationError as error:
                apply_to_form(form, error)
            else:
                if changed is False:
                    messages.info(request, self.unchanged)
                else:
                    messages.success(request, self.success)
                return None
        return self.rerender(request, **{self.form_name: form})


class DossierSubmit(DossierAction):
    """Submit the draft; an upgrade that does not say what changed comes back
    refused at that field."""

    permission = "evaluation.submit_dossier"

    def act(self, request, dossier):
        try:
            services.submit_dossier(dossier, request.user)
        except ValidationError as error:
            return refused_at_changes(self, request, dossier, error)
        messages.success(request, _("Đã nộp hồ sơ lên xã."))


def refused_at_changes(action, request, dossier, error):
    """A refusal about what changed since the last evaluation is shown at that
    field of the dossier's page; any other is raised on."""
    if "changes_since_last" not in getattr(error, "error_dict", {}):
        raise error
    form = ChangesSinceLastForm({"changes_since_last": dossier.changes_since_last})
    form.is_valid()
    apply_to_form(form, error)
    return action.rerender(request, changes_form=form)


class DossierChanges(DossierFormAction):
    """What an upgrade (or a re-evaluation) says changed since the last
    evaluation."""

    form_class, form_name = ChangesSinceLastForm, "changes_form"
    success = gettext_lazy("Đã ghi thay đổi từ lần đánh giá trước.")
    unchanged = gettext_lazy(
        "Nội dung thay đổi giống lần ghi trước: không có gì thay đổi."
    )

    def apply(self, request, dossier, data):
        return services.record_changes_since_last(
            dossier, request.user, data["changes_since_last"]
        ).changes_changed


class DossierReturn(DossierFormAction):
    permission = "evaluation.return_dossier"
    form_class, form_name = ReturnForm, "reason_form"
    success = gettext_lazy("Đã trả lại hồ sơ để bổ sung.")

    def apply(self, request, dossier, data):
        services.return_dossier(dossier, request.user, data["reason"])


class DossierResubmit(DossierAction):
    permission = "evaluation.submit_dossier"

    def act(self, request, dossier):
        try:
            services.resubmit_dossier(dossier, request.user)
        except ValidationError as error:
            return refused_at_changes(self, request, dossier, error)
        messages.success(request, _("Đã nộp lại hồ sơ."))


class DossierSendUp(DossierAction):
    permission = "evaluation.assess_dossier"

    def act(self, request, dossier):
        services.send_up(dossier, request.user)
        messages.success(request, _("Đã gửi hồ sơ lên cấp trên."))


class DossierAssess(DossierFormAction):
    permission = "evaluation.assess_dossier"
    form_class, form_name = CommuneAssessmentForm, "assessment_form"
    success = gettext_lazy("Đã ghi đánh giá của xã.")

    def make_form(self, request, dossier):
        return CommuneAssessmentForm(request.POST, received_on=dossier.received_on)

    def apply(self, request, dossier, data):
        services.record_commune_assessment(dossier, request.user, **data)


class DossierProductSet(DossierFormAction):
    """The product's set, confirmed from its dossier: the product page's move,
    under the product page's permission."""

    form_class, form_name = ProductSetForm, "product_set_form"
    success = gettext_lazy("Đã xác nhận bộ sản phẩm.")
    unchanged = gettext_lazy(
        "Bộ sản phẩm này đã được xác nhận từ trước: không có gì thay đổi."
    )

    def allowed(self, user, dossier):
        return user.has_perm("registry.change_product", dossier.registration.product)

    def apply(self, request, dossier, data):
        product = services.confirm_product_set(
            dossier.registration.product, request.user, data["product_set"]
        )
        return product.product_set_changed


class DossierSelfAssessment(DossierAction):
    def act(self, request, dossier):
        selections = [
            int(value)
            for key, value in request.POST.items()
            if key.startswith("c") and key[1:].isdigit() and value.isdigit()
        ]
        saved = services.save_self_assessment(dossier, request.user, selections)
        if saved.self_assessment_changed:
            messages.success(request, _("Đã lưu phiếu tự đánh giá."))
        else:
            messages.info(
                request,
                _("Phiếu tự đánh giá giống lần lưu trước: không có gì thay đổi."),
            )


class DossierEvidence(DossierFormAction):
    form_name = "evidence_form"
    success = gettext_lazy("Đã tải lên minh chứng.")

    def make_form(self, request, dossier):
        return EvidenceForm(request.POST, request.FILES, sheet=dossier.sheet)

    def apply(self, request, dossier, data):
        services.attach_evidence(
            dossier,
            request.user,
            data["file"],
            criterion=data["criterion"],
            description=data["description"],
        )


class DossierSamples(DossierFormAction):
    form_class, form_name = SamplesForm, "samples_form"
    success = gettext_lazy("Đã ghi nhận mẫu sản phẩm.")
    unchanged = gettext_lazy(
        "Số mẫu và ngày nhận mẫu giống lần ghi trước: không có gì thay đổi."
    )

    def make_form(self, request, dossier):
        return self.form_class(request.POST, first_day=first_day_of(dossier))

    def apply(self, request, dossier, data):
        return services.record_samples(
            dossier,
            request.user,
            count=data["samples_received"],
            received_on=data["samples_received_on"],
        ).samples_changed


class DossierMinistryResult(DossierFormAction):
    permission = "evaluation.record_ministry_result"
    form_class, form_name = MinistryResultForm, "ministry_form"
    success = gettext_lazy("Đã ghi nhận kết quả của Bộ.")

    def make_form(self, request, dossier):
        return self.form_class(request.POST, first_day=first_day_of(dossier))

    def apply(self, request, dossier, data):
        services.record_ministry_result(dossier, request.user, **data)


class EvidenceDownload(LoginRequiredMixin, View):
    """An evidence file, for whoever may see its dossier; 404 for anyone else."""

    def get(self, request, pk):
        evidence = get_object_or_404(
            Evidence.objects.filter(dossier__in=visible_dossiers(request.user)), pk=pk
        )
        return file_response(
            request,
            evidence.file,
            filename=evidence.original_name,
            content_type=evidence.content_type,
        )
