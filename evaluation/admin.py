"""The administrator's view of the evaluation data.

Workflow states are changed through ``services`` only, so the states, scores and
results are read-only here.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

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


class TierInline(admin.TabularInline):
    model = Tier
    extra = 0
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
class RulebookAdmin(admin.ModelAdmin):
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
class ProgrammeYearAdmin(admin.ModelAdmin):
    list_display = ["province", "year", "rulebook"]


@admin.register(CouncilSettings)
class CouncilSettingsAdmin(admin.ModelAdmin):
    list_display = [
        "province",
        "max_spread",
        "quorum_numerator",
        "quorum_denominator",
        "is_chair_required",
    ]


class MembershipInline(admin.TabularInline):
    model = CouncilMembership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Council)
class CouncilAdmin(admin.ModelAdmin):
    list_display = ["name", "tier", "district", "year"]
    list_filter = ["year", "tier__rulebook"]
    inlines = [MembershipInline]


@admin.register(Round)
class RoundAdmin(admin.ModelAdmin):
    list_display = ["name", "tier", "district", "year", "closes_on", "state"]
    list_filter = ["year", "state"]
    readonly_fields = ["state", "closed_at", "closed_by"]


@admin.register(Dossier)
class DossierAdmin(admin.ModelAdmin):
    list_display = ["registration", "state", "current_tier", "received_on"]
    list_filter = ["state", "programme_year"]
    readonly_fields = ["state", "current_tier", "submitted_at", "submitted_by"]
    search_fields = ["registration__product__name"]


@admin.register(CommuneAssessment)
class CommuneAssessmentAdmin(admin.ModelAdmin):
    list_display = ["dossier", "assessed_on", "assessed_by"]


class MemberScoreInline(admin.TabularInline):
    model = MemberScore
    extra = 0
    fields = ["member", "part_a", "part_b", "part_c", "total", "submitted_at"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Evaluation)
class EvaluationAdmin(admin.ModelAdmin):
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
class ScoreCorrectionAdmin(admin.ModelAdmin):
    list_display = ["member_score", "corrected_by", "reason", "created_at"]


@admin.register(ConflictOfInterest)
class ConflictOfInterestAdmin(admin.ModelAdmin):
    list_display = ["member", "dossier", "council", "declared_at"]


@admin.register(MinistryResult)
class MinistryResultAdmin(admin.ModelAdmin):
    list_display = ["dossier", "stars", "decision_number", "decision_date"]


@admin.register(Certificate)
class CertificateAdmin(admin.ModelAdmin):
    list_display = [
        "number",
        "product_name",
        "stars",
        "issuing_authority",
        "issued_on",
        "expires_on",
        "status",
    ]
    list_filter = ["stars", "status", "rulebook"]
    search_fields = ["number", "product_name", "producer_name"]
    readonly_fields = ["status", "revoked_on", "revoked_reason", "revoked_by"]
