"""Dossier pages: the list (overdue commune assessments stand out), the detail with
its registration, product set, self-assessment, evidence, samples and history, and
the moves officers make on it."""

from datetime import date

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import OuterRef, Q, Subquery
from django.shortcuts import get_object_or_404, redirect
from django.utils.html import format_html, format_html_join
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
from .common import PAGE_SIZE, apply_to_form, detail_page_again, report_refusal
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
            # Recorded by the tier that scores the dossier, until it starts to.
            can_record_samples=user.has_perm("evaluation.record_samples", dossier)
            and services.samples_may_change(dossier),
            samples_form=kwargs.get("samples_form")
            or SamplesForm(
                initial={
                    "samples_received": dossier.samples_received or None,
                    "samples_received_on": dossier.samples_received_on,
                },
                first_day=samples_first_day(dossier),
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
    """A POST that moves a dossier through a service, then back to its page.

    Two refusals are told apart. Without ``permission``, the user's right on the
    dossier (their role and area), the move is forbidden (403). With it, a dossier
    no longer in one of ``states``, or past the stage where the user's role makes
    the move (``stage_permission``, when the move has one), has moved on since its
    page was opened: the user is sent back to its page with what happened and what
    they typed (``moved_on``), and nothing changes. The service's own check, under
    its lock, says the same when the dossier moves in between (``StateRefusal``).
    """

    permission = "evaluation.change_dossier"
    stage_permission = None
    states = DOSSIER_OPEN_STATES
    # What the move does, as the page names it when it no longer applies.
    action = ""

    def post(self, request, pk, **kwargs):
        self.dossier = self.get_dossier(request, pk)
        if not self.allowed(request.user, self.dossier):
            raise PermissionDenied
        refusal = self.refusal(request.user, self.dossier)
        if refusal:
            return self.moved_on(request, refusal)
        try:
            response = self.act(request, self.dossier)
        except services.StateRefusal:
            return self.moved_on(request)
        except ValidationError as error:
            report_refusal(request, error)
            response = None
        return response or redirect("evaluation:dossier-detail", pk=self.dossier.pk)

    def get_dossier(self, request, pk):
        return get_object_or_404(
            visible_dossiers(request.user).select_related(
                "registration__product__producer",
                "programme_year__rulebook",
                "sheet",
                "current_tier",
            ),
            pk=pk,
        )

    def allowed(self, user, dossier):
        return user.has_perm(self.permission, dossier)

    def refusal(self, user, dossier):
        """Why the move no longer applies to the dossier as it stands, or None."""
        if dossier.state in self.states and (
            self.stage_permission is None
            or user.has_perm(self.stage_permission, dossier)
        ):
            return None
        return moved_on_message(dossier, self.action)

    def moved_on(self, request, message=None):
        """Back to the dossier's page, saying why the move no longer applies and
        showing what the user typed for it, which was not saved."""
        if message is None:
            # The service found the dossier moved on under its lock: read it again.
            self.dossier = self.get_dossier(request, self.dossier.pk)
            message = self.refusal(request.user, self.dossier) or moved_on_message(
                self.dossier, self.action
            )
        messages.warning(request, with_kept_text(message, self.kept_text(request)))
        return redirect("evaluation:dossier-detail", pk=self.dossier.pk)

    def kept_text(self, request):
        """``(label, text)`` of what the user typed for the move."""
        return []

    def rerender(self, request, **forms):
        return detail_page_again(
            request, DossierDetail, self.dossier.pk, self.dossier, **forms
        )


def moved_on_message(dossier, action):
    """The page's sentence for a move the dossier's state no longer allows."""
    values = {"state": dossier.get_state_display(), "action": action}
    if dossier.current_tier_id:
        values["tier"] = dossier.current_tier.name
        return (
            _(
                "Hồ sơ đã chuyển sang trạng thái “%(state)s” (đang ở %(tier)s) nên "
                "không %(action)s được nữa; hãy xem lại hồ sơ."
            )
            % values
        )
    return (
        _(
            "Hồ sơ đã chuyển sang trạng thái “%(state)s” nên không %(action)s được "
            "nữa; hãy xem lại hồ sơ."
        )
        % values
    )


def with_kept_text(message, kept):
    """The message, followed by the text the user typed and that was not saved, so
    that it can be copied rather than typed again (escaped: it is the user's)."""
    if not kept:
        return message
    return format_html(
        '{}<div class="mt-2 small kept-text">{}{}</div>',
        message,
        _("Nội dung bạn đã nhập, chưa được ghi:"),
        format_html_join(
            "",
            '<div class="mt-1"><strong>{}:</strong> '
            '<span style="white-space: pre-line">{}</span></div>',
            kept,
        ),
    )


class DossierFormAction(DossierAction):
    """A move made from one of the page's small forms.

    A refusal, the form's or the service's, comes back on the dossier's page at the
    field it is about, with what was typed kept; ``form_name`` is the form's name in
    the page's context. ``apply`` returns False when the move changed nothing: the
    page then says ``unchanged`` rather than ``success``. A dossier that has moved
    on is the exception: its form may be gone from the page, so the typed text
    comes back in the page's message (``DossierAction.moved_on``).
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
            except services.StateRefusal:
                raise
            except ValidationError as error:
                apply_to_form(form, error)
            else:
                if changed is False:
                    messages.info(request, self.unchanged)
                else:
                    messages.success(request, self.success)
                return None
        return self.rerender(request, **{self.form_name: form})

    def kept_text(self, request):
        form = self.make_form(request, self.dossier)
        kept = []
        for name, field in form.fields.items():
            if not isinstance(field, forms.CharField):
                continue
            value = request.POST.get(form.add_prefix(name), "").strip()
            if value:
                kept.append((field.label, value))
        return kept


class DossierSubmit(DossierAction):
    """Submit the draft; an upgrade that does not say what changed comes back
    refused at that field."""

    permission = "evaluation.submit_dossier"
    states = {DossierState.DRAFT}
    action = gettext_lazy("nộp hồ sơ")

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
    states = DOSSIER_EDITABLE_STATES
    action = gettext_lazy("ghi thay đổi từ lần đánh giá trước")
    success = gettext_lazy("Đã ghi thay đổi từ lần đánh giá trước.")
    unchanged = gettext_lazy(
        "Nội dung thay đổi giống lần ghi trước: không có gì thay đổi."
    )

    def apply(self, request, dossier, data):
        return services.record_changes_since_last(
            dossier, request.user, data["changes_since_last"]
        ).changes_changed


class DossierReturn(DossierFormAction):
    """Return the dossier, by the role of the stage it is at; one who returned it
    at a stage it has since left is told it moved on."""

    permission = "evaluation.had_return_dossier"
    stage_permission = "evaluation.return_dossier"
    states = RETURNABLE_STATES
    action = gettext_lazy("trả lại hồ sơ")
    form_class, form_name = ReturnForm, "reason_form"
    success = gettext_lazy("Đã trả lại hồ sơ để bổ sung.")

    def apply(self, request, dossier, data):
        services.return_dossier(dossier, request.user, data["reason"])


class DossierResubmit(DossierAction):
    permission = "evaluation.submit_dossier"
    states = {DossierState.RETURNED}
    action = gettext_lazy("nộp lại hồ sơ")

    def act(self, request, dossier):
        try:
            services.resubmit_dossier(dossier, request.user)
        except ValidationError as error:
            return refused_at_changes(self, request, dossier, error)
        messages.success(request, _("Đã nộp lại hồ sơ."))


class DossierSendUp(DossierAction):
    permission = "evaluation.assess_dossier"
    states = {DossierState.ASSESSED}
    action = gettext_lazy("gửi hồ sơ lên cấp trên")

    def act(self, request, dossier):
        services.send_up(dossier, request.user)
        messages.success(request, _("Đã gửi hồ sơ lên cấp trên."))


class DossierAssess(DossierFormAction):
    permission = "evaluation.assess_dossier"
    states = {DossierState.SUBMITTED}
    action = gettext_lazy("ghi đánh giá của xã")
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
    # The dossier's page offers it while the producer's side may be edited.
    states = DOSSIER_EDITABLE_STATES
    action = gettext_lazy("xác nhận bộ sản phẩm")
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
    states = DOSSIER_EDITABLE_STATES
    action = gettext_lazy("lưu phiếu tự đánh giá")

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
    states = DOSSIER_EDITABLE_STATES
    action = gettext_lazy("tải lên minh chứng")
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


class DossierEvidenceRemove(DossierAction):
    """Remove an evidence file, for whoever may upload one, in the same states;
    the file is deleted from storage once the removal is committed."""

    states = DOSSIER_EDITABLE_STATES
    action = gettext_lazy("xoá minh chứng")

    def act(self, request, dossier):
        evidence = dossier.evidence.filter(pk=self.kwargs["evidence_pk"]).first()
        if evidence is None:
            messages.info(
                request, _("Minh chứng này không còn trên hồ sơ: có thể đã được xoá.")
            )
            return None
        services.remove_evidence(dossier, request.user, evidence)
        messages.success(
            request,
            _("Đã xoá minh chứng “%(file)s”.") % {"file": evidence.original_name},
        )


class DossierSamples(DossierFormAction):
    """The samples received, by the tier that scores the dossier, until its council
    starts scoring (``services.samples_may_change``)."""

    permission = "evaluation.had_record_samples"
    stage_permission = "evaluation.record_samples"
    action = gettext_lazy("ghi nhận mẫu")
    form_class, form_name = SamplesForm, "samples_form"
    success = gettext_lazy("Đã ghi nhận mẫu sản phẩm.")
    unchanged = gettext_lazy(
        "Số mẫu và ngày nhận mẫu giống lần ghi trước: không có gì thay đổi."
    )

    def refusal(self, user, dossier):
        if not user.has_perm(self.stage_permission, dossier):
            return moved_on_message(dossier, self.action)
        if services.samples_may_change(dossier):
            return None
        if dossier.state == DossierState.IN_EVALUATION:
            return _(
                "Hội đồng đã bắt đầu chấm điểm hồ sơ nên không ghi nhận mẫu được "
                "nữa; hãy xem lại hồ sơ."
            )
        return moved_on_message(dossier, self.action)

    def make_form(self, request, dossier):
        return self.form_class(request.POST, first_day=samples_first_day(dossier))

    def apply(self, request, dossier, data):
        return services.record_samples(
            dossier,
            request.user,
            count=data["samples_received"],
            received_on=data["samples_received_on"],
        ).samples_changed


def samples_first_day(dossier):
    """The first day samples may have been received: the day the dossier was
    submitted, and not before its programme year."""
    first = first_day_of(dossier)
    return max(first, dossier.received_on) if dossier.received_on else first


class DossierMinistryResult(DossierFormAction):
    permission = "evaluation.record_ministry_result"
    states = {DossierState.WAITING}
    action = gettext_lazy("ghi nhận kết quả của Bộ")
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
