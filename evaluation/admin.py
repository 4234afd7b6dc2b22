"""The administrator's view of the evaluation data.

The workflow's records (councils and their members, rounds, dossiers, the
commune's assessments, results and members' sheets, corrections, conflicts, the
Ministry's results, certificates) change only through the workflow's pages and
``services``, which check each move and write it to the audit log: here they are
read only. So are the rulebooks and their tiers, loaded from ``rulebooks``: the
results already worked out depend on them.

What an administrator keeps editing here is the province's reference data: its
programme years (the rulebook of a year that has no dossier yet) and its councils'
rules (spread, quorum). Each change is written to the audit log too.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from ocop import audit
from ocop.admin import ReadOnlyAdmin

from .enums import CertificateStatus
from .models import (
    Certificate,
    CommuneAssessment,
    ConflictOfInterest,
    Council,
    CouncilMembership,
    CouncilSettings,
    Criterion,
    Dossier,
    Evaluation,
    MemberScore,
    MinistryResult,
    ProgrammeYear,
    Round,
    Rulebook,
    ScoreCorrection,
    ScoringSheet,
    Tier,
)


class ReadOnlyInline:
    """An inline shown, never edited: its rows change through the workflow."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class AuditedAdmin(admin.ModelAdmin):
    """Reference data edited here, each change written to the audit log as
    ``evaluation.<model>.created``, ``.updated`` or ``.deleted`` with the fields
    changed and their values before and after."""

    def save_model(self, request, obj, form, change):
        before = type(obj).objects.get(pk=obj.pk) if change else None
        super().save_model(request, obj, form, change)
        changed = {}
        for name in form.changed_data:
            field = obj._meta.get_field(name)
            changed[name] = [
                _plain(field.value_from_object(before)) if before else None,
                _plain(field.value_from_object(obj)),
            ]
        action = "updated" if change else "created"
        self._record(request, obj, action, {"changed": changed})

    def delete_model(self, request, obj):
        self._record(request, obj, "deleted", {})
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self._record(request, obj, "deleted", {})
        super().delete_queryset(request, queryset)

    def _record(self, request, obj, action, data):
        name = obj._meta.model_name
        audit.record(request.user, f"evaluation.{name}.{action}", obj, data=data)


def _plain(value):
    return None if value is None else str(value)


class TierInline(ReadOnlyInline, admin.TabularInline):
    model = Tier
    fields = [
        "order",
        "level",
        "kind",
        "name",
        "certifies_stars",
        "refers_from",
        "issuing_authority",
    ]


@admin.register(Rulebook)
class RulebookAdmin(ReadOnlyAdmin):
    list_display = ["legal_basis", "code", "valid_from", "valid_to", "sheet_edition"]
    inlines = [TierInline]


class CriterionInline(admin.TabularInline):
    model = Criterion
    extra = 0
    fields = ["code", "part", "name", "max_points", "choose_one", "knock_out"]
    readonly_fields = fields
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(ScoringSheet)
class ScoringSheetAdmin(admin.ModelAdmin):
    list_display = [
        "product_set",
        "edition",
        "version",
        "is_valid",
        "problem_count",
        "corrected_by",
        "created_at",
    ]
    list_filter = ["edition", "is_valid"]
    readonly_fields = [
        "product_set",
        "edition",
        "version",
        "heading",
        "is_valid",
        "problems",
        "supersedes",
        "correction_reason",
        "corrected_by",
        "source",
        "dossier_rejected_when",
    ]
    inlines = [CriterionInline]

    @admin.display(description=_("số lỗi"))
    def problem_count(self, obj):
        return len(obj.problems)


@admin.register(ProgrammeYear)
class ProgrammeYearAdmin(AuditedAdmin):
    list_display = ["province", "year", "rulebook"]

    def get_readonly_fields(self, request, obj=None):
        # Its dossiers were opened, and their tiers set, under its rulebook.
        if obj is not None and obj.dossiers.exists():
            return ["province", "year", "rulebook"]
        return []


@admin.register(CouncilSettings)
class CouncilSettingsAdmin(AuditedAdmin):
    list_display = [
        "province",
        "max_spread",
        "quorum_numerator",
        "quorum_denominator",
        "is_chair_required",
    ]


class MembershipInline(ReadOnlyInline, admin.TabularInline):
    model = CouncilMembership
    fields = ["user", "role"]


@admin.register(Council)
class CouncilAdmin(ReadOnlyAdmin):
    list_display = ["name", "tier", "district", "year"]
    list_filter = ["year", "tier__rulebook"]
    inlines = [MembershipInline]


@admin.register(Round)
class RoundAdmin(ReadOnlyAdmin):
    list_display = ["name", "tier", "district", "year", "closes_on", "state"]
    list_filter = ["year", "state"]


@admin.register(Dossier)
class DossierAdmin(ReadOnlyAdmin):
    list_display = ["registration", "state", "current_tier", "received_on"]
    list_filter = ["state", "programme_year"]
    search_fields = ["registration__product__name"]


@admin.register(CommuneAssessment)
class CommuneAssessmentAdmin(ReadOnlyAdmin):
    list_display = ["dossier", "assessed_on", "assessed_by"]


class MemberScoreInline(ReadOnlyInline, admin.TabularInline):
    model = MemberScore
    fields = ["member", "part_a", "part_b", "part_c", "total", "submitted_at"]
    readonly_fields = fields


@admin.register(MemberScore)
class MemberScoreAdmin(ReadOnlyAdmin):
    list_display = ["member", "evaluation", "total", "submitted_at", "is_locked"]
    list_select_related = ["member", "evaluation__dossier__registration__product"]


@admin.register(Evaluation)
class EvaluationAdmin(ReadOnlyAdmin):
    list_display = ["dossier", "round", "score", "stars", "outcome", "frozen_at"]
    list_filter = ["outcome", "rulebook"]
    readonly_fields = [
        "dossier",
        "round",
        "tier",
        "rulebook",
        "sheet",
        "score",
        "stars",
        "is_knocked_out",
        "outcome",
        "certifying_tier",
        "blocked_reasons",
        "computed_at",
        "frozen_at",
        "referred_at",
    ]
    inlines = [MemberScoreInline]


@admin.register(ScoreCorrection)
class ScoreCorrectionAdmin(ReadOnlyAdmin):
    list_display = ["member_score", "corrected_by", "reason", "created_at"]


@admin.register(ConflictOfInterest)
class ConflictOfInterestAdmin(ReadOnlyAdmin):
    list_display = ["member", "dossier", "council", "declared_at"]


@admin.register(MinistryResult)
class MinistryResultAdmin(ReadOnlyAdmin):
    list_display = ["dossier", "stars", "decision_number", "decision_date"]


class CertificateStateFilter(admin.SimpleListFilter):
    """The state as of today, as the certificate list filters it."""

    title = _("trạng thái")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return CertificateStatus.choices

    def queryset(self, request, queryset):
        if self.value() in CertificateStatus.values:
            return queryset.in_state(self.value())
        return queryset


@admin.register(Certificate)
class CertificateAdmin(ReadOnlyAdmin):
    list_display = [
        "number",
        "product_name",
        "stars",
        "issuing_authority",
        "issued_on",
        "expires_on",
        "state",
    ]
    list_filter = ["stars", CertificateStateFilter, "rulebook"]
    search_fields = ["number", "product_name", "producer_name"]

    def get_queryset(self, request):
        return super().get_queryset(request).with_state()

    @admin.display(description=_("trạng thái"), ordering="state")
    def state(self, certificate):
        return certificate.state_label
