"""The states and kinds of the evaluation workflow.

A dossier (hồ sơ) is drafted, submitted to its commune, assessed there, then waits at
each tier of its rulebook for a council round, until it is certified or ends without
a certificate.
"""

from django.db import models
from django.utils.translation import pgettext_lazy


class TierLevel(models.TextChoices):
    """The level of government a tier of evaluation belongs to."""

    COMMUNE = "commune", pgettext_lazy("tier level", "Cấp xã")
    DISTRICT = "district", pgettext_lazy("tier level", "Cấp huyện")
    PROVINCE = "province", pgettext_lazy("tier level", "Cấp tỉnh")
    MINISTRY = "ministry", pgettext_lazy("tier level", "Cấp trung ương")


class TierKind(models.TextChoices):
    """How a tier reaches its result."""

    # The commune writes a narrative report, without points.
    ASSESSMENT = (
        "assessment",
        pgettext_lazy("tier kind", "Đánh giá hồ sơ (không chấm điểm)"),
    )
    # A council scores on the official sheet.
    COUNCIL = "council", pgettext_lazy("tier kind", "Hội đồng chấm điểm")
    # The result comes from elsewhere (the Ministry) and is recorded by hand.
    RECORDED = "recorded", pgettext_lazy("tier kind", "Ghi nhận kết quả")


class DossierState(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("dossier state", "Đang lập")
    SUBMITTED = "submitted", pgettext_lazy("dossier state", "Đã nộp, chờ xã đánh giá")
    RETURNED = "returned", pgettext_lazy("dossier state", "Trả lại để bổ sung")
    ASSESSED = "assessed", pgettext_lazy("dossier state", "Xã đã đánh giá")
    WAITING = "waiting", pgettext_lazy("dossier state", "Chờ hội đồng đánh giá")
    IN_EVALUATION = "in_evaluation", pgettext_lazy("dossier state", "Đang đánh giá")
    CERTIFIED = "certified", pgettext_lazy("dossier state", "Đã công nhận")
    NOT_CERTIFIED = "not_certified", pgettext_lazy("dossier state", "Không đạt")


DOSSIER_OPEN_STATES = frozenset(
    {
        DossierState.DRAFT,
        DossierState.SUBMITTED,
        DossierState.RETURNED,
        DossierState.ASSESSED,
        DossierState.WAITING,
        DossierState.IN_EVALUATION,
    }
)
DOSSIER_FINAL_STATES = frozenset({DossierState.CERTIFIED, DossierState.NOT_CERTIFIED})
# States in which the producer's side of the dossier may still be edited.
DOSSIER_EDITABLE_STATES = frozenset({DossierState.DRAFT, DossierState.RETURNED})

# A dossier comes with 5 product samples (none for a tourism product), a few more
# when the advisory team orders lab tests; a count past this is a typing slip, not a
# delivery.
SAMPLES_REQUIRED = 5
SAMPLES_MAX = 100


class RoundState(models.TextChoices):
    OPEN = "open", pgettext_lazy("round state", "Đang mở")
    CLOSED = "closed", pgettext_lazy("round state", "Đã đóng")


class CouncilRole(models.TextChoices):
    CHAIR = "chair", pgettext_lazy("council role", "Chủ tịch")
    VICE_CHAIR = "vice_chair", pgettext_lazy("council role", "Phó Chủ tịch")
    SECRETARY = "secretary", pgettext_lazy("council role", "Thư ký")
    MEMBER = "member", pgettext_lazy("council role", "Ủy viên")
    ADVISOR = "advisor", pgettext_lazy("council role", "Tổ tư vấn")


# Everyone on the council but the advisory team scores.
SCORING_ROLES = frozenset(
    {
        CouncilRole.CHAIR,
        CouncilRole.VICE_CHAIR,
        CouncilRole.SECRETARY,
        CouncilRole.MEMBER,
    }
)


class Outcome(models.TextChoices):
    """What a tier's result means for the dossier."""

    CERTIFIED = "certified", pgettext_lazy("outcome", "Công nhận")
    REFERRED = "referred", pgettext_lazy("outcome", "Chuyển cấp trên")
    ENDED = "ended", pgettext_lazy("outcome", "Không công nhận")


class CertificateStatus(models.TextChoices):
    VALID = "valid", pgettext_lazy("certificate status", "Còn hiệu lực")
    EXPIRED = "expired", pgettext_lazy("certificate status", "Hết hiệu lực")
    REVOKED = "revoked", pgettext_lazy("certificate status", "Đã thu hồi")


class RevocationGround(models.TextChoices):
    """The programme's grounds for revoking a certificate (thu hồi)."""

    FORGED_DOSSIER = (
        "forged_dossier",
        pgettext_lazy("revocation ground", "Hồ sơ đánh giá giả mạo"),
    )
    CRITERIA_NOT_MET = (
        "criteria_not_met",
        pgettext_lazy(
            "revocation ground", "Không còn đáp ứng tiêu chí sau khi kiểm tra"
        ),
    )
    LAW_VIOLATION = (
        "law_violation",
        pgettext_lazy(
            "revocation ground",
            "Vi phạm pháp luật về chất lượng, an toàn thực phẩm, ghi nhãn hoặc sở "
            "hữu trí tuệ",
        ),
    )
    MARK_MISUSE = (
        "mark_misuse",
        pgettext_lazy("revocation ground", "Sử dụng sai biểu trưng OCOP"),
    )
    PRODUCTION_STOPPED = (
        "production_stopped",
        pgettext_lazy("revocation ground", "Ngừng sản xuất sản phẩm"),
    )


class FilingTiming(models.TextChoices):
    """When a re-evaluation was filed, against the window before the certificate it
    renews expires (see ``evaluation.renewal``)."""

    NOT_FILED = "not_filed", pgettext_lazy("filing timing", "Chưa nộp")
    EARLY = "early", pgettext_lazy("filing timing", "Nộp sớm hơn thời hạn")
    IN_WINDOW = "in_window", pgettext_lazy("filing timing", "Nộp trong thời hạn")
    LATE = "late", pgettext_lazy("filing timing", "Nộp muộn")
    # Filed once even the 180 days after expiry had run out.
    TOO_LATE = (
        "too_late",
        pgettext_lazy("filing timing", "Nộp sau thời gian gia hạn"),
    )


class Part(models.TextChoices):
    """The three parts of every scoring sheet, with their maxima in PART_MAXIMA."""

    A = "A", pgettext_lazy("sheet part", "Phần A: Sản phẩm và sức mạnh cộng đồng")
    B = "B", pgettext_lazy("sheet part", "Phần B: Khả năng tiếp thị")
    C = "C", pgettext_lazy("sheet part", "Phần C: Chất lượng sản phẩm")


PART_MAXIMA = {Part.A: 40, Part.B: 25, Part.C: 35}


class SheetImportStatus(models.TextChoices):
    """What importing a criteria file does to one product set's sheet."""

    NEW = "new", pgettext_lazy("sheet import", "Mới")
    UNCHANGED = "unchanged", pgettext_lazy("sheet import", "Không đổi")
    # The file reads differently from every stored version: a new version.
    CHANGED = "changed", pgettext_lazy("sheet import", "Thay đổi (phiên bản mới)")
