"""Every move of the evaluation workflow, one function each.

Each function checks its guard, saves only the fields it changes, writes an audit
entry and queues its side effects for after the commit. A move that is not allowed
raises ``ValidationError`` with a Vietnamese message and leaves the database as it
was. Views call these functions; they never change a state themselves.

Who may do a move on which area is decided by ``permissions`` in the views; the
functions here enforce the rules of the council itself (only members score, only
the chair corrects and closes).

The moves live in one module per part of the workflow: ``dossiers`` (from the
draft to the commune's assessment), ``rounds`` (councils, rounds, conflicts),
``scores`` (the members' sheets), ``programmes`` (a province's programme years
and opening their dossiers), ``products`` (a product's set and its
dossiers' sheets), ``results`` (the council's result, closing and
referring a round) and ``certificates``. Import them from here.
"""

from ._helpers import (
    FOLLOWING_KINDS,
    StateRefusal,
    membership,
    programme_year_for,
    scoring_sheet_for,
)
from .certificates import (
    CertificationGroup,
    certification_groups,
    certify,
    expire_certificates,
    next_certificate_number,
    record_earlier_certificate,
    record_ministry_result,
    registration_for_earlier_certificate,
    revoke_certificate,
)
from .dossiers import (
    attach_evidence,
    create_dossier,
    dossier_history,
    record_changes_since_last,
    record_commune_assessment,
    record_samples,
    remove_evidence,
    resubmit_dossier,
    return_dossier,
    samples_may_change,
    save_self_assessment,
    scoring_begun,
    send_up,
    submit_dossier,
)
from .products import confirm_product_set
from .programmes import (
    OpenedDossiers,
    open_dossiers,
    open_programme_year,
    rulebook_covers_year,
)
from .results import (
    close_round,
    compute_result,
    council_rules,
    explain_results,
    is_to_refer,
    nothing_to_refer,
    refer_round,
    referral_counts,
    reject_dossier,
)
from .rounds import (
    add_council_member,
    add_to_round,
    change_council_role,
    create_council,
    declare_conflict,
    open_round,
    record_council_decision,
    record_precheck,
    remove_council_member,
)
from .scores import (
    STALE_CODES,
    can_score,
    correct_member_score,
    round_closed,
    round_overdue,
    save_member_score,
    submit_member_score,
    visible_member_scores,
)

__all__ = [
    "STALE_CODES",
    "CertificationGroup",
    "StateRefusal",
    "FOLLOWING_KINDS",
    "OpenedDossiers",
    "add_council_member",
    "add_to_round",
    "attach_evidence",
    "can_score",
    "certification_groups",
    "certify",
    "change_council_role",
    "close_round",
    "compute_result",
    "confirm_product_set",
    "correct_member_score",
    "council_rules",
    "create_council",
    "create_dossier",
    "declare_conflict",
    "dossier_history",
    "expire_certificates",
    "explain_results",
    "is_to_refer",
    "membership",
    "next_certificate_number",
    "nothing_to_refer",
    "open_dossiers",
    "open_programme_year",
    "open_round",
    "programme_year_for",
    "record_changes_since_last",
    "record_commune_assessment",
    "record_council_decision",
    "record_earlier_certificate",
    "record_ministry_result",
    "record_precheck",
    "record_samples",
    "refer_round",
    "referral_counts",
    "reject_dossier",
    "remove_council_member",
    "remove_evidence",
    "registration_for_earlier_certificate",
    "resubmit_dossier",
    "return_dossier",
    "revoke_certificate",
    "round_closed",
    "round_overdue",
    "rulebook_covers_year",
    "samples_may_change",
    "save_member_score",
    "save_self_assessment",
    "scoring_begun",
    "scoring_sheet_for",
    "send_up",
    "submit_dossier",
    "submit_member_score",
    "visible_member_scores",
]
