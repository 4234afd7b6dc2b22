"""The demo's evaluation step, the story setup_demo tells, and the sheet-loading
command."""

import json
import random
from collections import Counter
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from io import StringIO
from unittest.mock import ANY

import pytest
from django.core.management import call_command
from django.urls import reverse

from evaluation.demo import setup_demo_evaluation, sheet_selections
from evaluation.enums import (
    CertificateStatus,
    CouncilRole,
    DossierState,
    Outcome,
    RoundState,
    TierLevel,
)
from evaluation.models import (
    Certificate,
    CommuneAssessment,
    CouncilMembership,
    Dossier,
    Evaluation,
    MemberScore,
    Option,
    ProgrammeYear,
    Round,
    ScoringSheet,
)
from evaluation.scoring import check_selections, part_totals, unmet_minimums
from evaluation.services import can_score, submit_member_score
from evaluation.sheet_file import read_criteria_file
from evaluation.sheets import CRITERIA_FILE, import_scoring_sheets, sheet_spec
from ocop.enums import DocumentKind, JobStatus
from ocop.models import AuditEntry, Document, Job
from registry.demo import create_demo_accounts
from registry.enums import Role
from registry.models import ImportBatch, Product, User
from tests.factories_evaluation import load_sheets


def test_setup_demo_evaluation_plans_the_2023_rounds(lai_chau):
    create_demo_accounts()

    summary = setup_demo_evaluation(lai_chau)
    again = setup_demo_evaluation(lai_chau)

    programme = ProgrammeYear.objects.get(province=lai_chau, year=2023)
    district_rounds = Round.objects.filter(district__isnull=False)
    province_rounds = Round.objects.filter(district__isnull=True).order_by("closes_on")
    assert programme.rulebook.code == "148-2023"
    assert (summary["sheets"], summary["corrected"], summary["rounds"]) == (26, 22, 18)
    assert (again["corrected"], again["new_rounds"]) == (0, 0)
    assert district_rounds.count() == 16
    assert sorted({r.closes_on.isoformat() for r in district_rounds}) == [
        "2023-06-30",
        "2023-10-30",
    ]
    assert [r.closes_on.isoformat() for r in province_rounds] == [
        "2023-07-31",
        "2023-11-30",
    ]
    assert {r.state for r in Round.objects.all()} == {RoundState.OPEN}
    chairs = CouncilMembership.objects.filter(role=CouncilRole.CHAIR)
    assert {m.user.username for m in chairs} == {"hoidong1"}
    assert chairs.count() == 9
    assert ScoringSheet.objects.filter(is_valid=False).count() == 22
    assert ScoringSheet.objects.filter(is_valid=True, version=2).count() == 22
    honey = ScoringSheet.objects.get(product_set__number=4, version=2)
    assert honey.correction_reason.count("\n") == 2
    assert honey.corrected_by.username == "quantri"
    assert not any(
        sheet.is_latest and not sheet.is_valid for sheet in ScoringSheet.objects.all()
    )


def test_load_scoring_sheets_command_lists_what_fails(lai_chau, capsys):
    call_command("load_scoring_sheets")

    out = capsys.readouterr().out
    assert out.startswith("Phiếu mới: 26, không đổi: 0, không đạt kiểm tra: 22.\n")
    assert "  7: Điểm tối đa in là 3 nhưng phương án cao nhất cho 13.\n" in out
    assert ScoringSheet.objects.count() == 26


# -- the demo's story ---------------------------------------------------------------

COUNCIL = ["hoidong1", "hoidong2", "hoidong3"]
STATES = {
    DossierState.DRAFT: 86,
    DossierState.SUBMITTED: 2,
    DossierState.RETURNED: 2,
    DossierState.ASSESSED: 1,
    DossierState.WAITING: 1,
    DossierState.IN_EVALUATION: 6,
    # 4 by the district's first round, 1 by the province's July round, 1 by the
    # Ministry after the province referred it.
    DossierState.CERTIFIED: 6,
    DossierState.NOT_CERTIFIED: 1,
}
# Thành phố Lai Châu's first round: the members' totals, the council's score, stars
# and outcome.
FIRST_ROUND = {
    "Mật ong tươi Lai Châu": ([62, 58, 65], "61.67", 3, Outcome.CERTIFIED),
    "Thịt trâu sấy Huy Râu": ([77, 73, 80], "76.67", 4, Outcome.REFERRED),
    "Rượu ngô men lá hạ thổ": ([55, 52, 58], "55.00", 3, Outcome.CERTIFIED),
    "Đông trùng hạ thảo sấy thăng hoa": ([83, 79, 86], "82.67", 4, Outcome.REFERRED),
    "Thịt lợn sấy": ([66, 63, 60], "63.00", 3, Outcome.CERTIFIED),
    "Rượu chuối": ([46, 43, 49], "46.00", 2, Outcome.ENDED),
    "Bột đông trùng hạ thảo": ([68, 71, 66], "68.33", 3, Outcome.CERTIFIED),
}


def _setup_demo(capture=None):
    out = StringIO()
    if capture is None:
        call_command("setup_demo", stdout=out)
    else:
        with capture(execute=True):
            call_command("setup_demo", stdout=out)
    return out.getvalue()


@pytest.fixture
def demo(lai_chau, django_capture_on_commit_callbacks):
    """The demo as ``setup_demo`` leaves it, with the document jobs it queues run."""
    return _setup_demo(django_capture_on_commit_callbacks)


def _round(district_code, closes_on):
    return Round.objects.get(district__code=district_code, closes_on=closes_on)


def _stars(score):
    return 5 if score >= 90 else 4 if score >= 70 else 3 if score >= 50 else 2


def test_demo_has_dossiers_at_every_state(demo):
    states = Counter(Dossier.objects.values_list("state", flat=True))
    assert dict(states) == STATES

    returned = Dossier.objects.filter(state=DossierState.RETURNED)
    assert all(d.returned_reason for d in returned)
    assert sorted(str(d.registration.product) for d in returned) == [
        "Lạp sườn hun khói Lục Lệ",
        "Thịt ngựa sấy Huy Râu",
    ]
    today = date.today()
    awaiting = Dossier.objects.filter(state=DossierState.SUBMITTED).order_by(
        "received_on"
    )
    assert [d.is_assessment_overdue(today) for d in awaiting] == [True, False]
    assert awaiting[0].received_on == date(2023, 9, 4)
    assert awaiting[0].assessment_due_on == date(2023, 9, 25)
    assert awaiting[1].received_on == today
    assert awaiting[1].registration.commune.name == "Xã Bình Lư"
    # Every commune assessment was made within its 15 working days, in 2023.
    assessments = CommuneAssessment.objects.all()
    assert assessments.count() == 16
    assert not any(a.is_late for a in assessments)
    assert {a.assessed_on.year for a in assessments} == {2023}
    waiting = Dossier.objects.filter(state=DossierState.WAITING)
    assert Counter(d.current_tier.level for d in waiting) == {TierLevel.DISTRICT: 1}


def test_demo_open_round_waits_for_each_council_member(demo, client):
    round = _round("106", date(2023, 10, 30))
    evaluations = list(round.evaluations.select_related("round__council", "sheet"))
    assert round.state == RoundState.OPEN
    assert len(evaluations) == 6
    assert all(e.precheck_at and e.precheck_report for e in evaluations)
    assert not MemberScore.objects.filter(evaluation__round=round).exists()
    for username in COUNCIL:
        member = User.objects.get(username=username)
        assert [can_score(e, member) for e in evaluations] == [(True, "")] * 6
    assert all(
        e.dossier.commune_assessment.assessed_on < round.closes_on for e in evaluations
    )

    client.force_login(User.objects.get(username="hoidong1"))
    page = client.get(reverse("evaluation:evaluation-score", args=[evaluations[0].pk]))
    assert page.status_code == 200
    assert (
        "  hoidong1, hoidong2, hoidong3: 6 sản phẩm chờ chấm ở đợt “Đợt 2 năm 2023 – "
        "Tam Đường”" in demo
    )


def test_demo_first_round_is_closed_with_results_and_certificates(demo):
    round = _round("105", date(2023, 6, 30))
    assert round.state == RoundState.CLOSED
    found = {}
    for evaluation in round.evaluations.select_related("dossier__registration"):
        scores = list(evaluation.member_scores.order_by("member__username"))
        totals = [s.total for s in scores]
        assert [s.member.username for s in scores] == COUNCIL
        assert all(s.submitted_at and s.is_locked for s in scores)
        spec = sheet_spec(evaluation.sheet)
        for score in scores:
            assert check_selections(spec, score.selections) == []
            assert score.part_a + score.part_b + score.part_c == score.total
        assert max(totals) - min(totals) <= 10
        mean = (Decimal(sum(totals)) / 3).quantize(Decimal("0.01"), ROUND_HALF_UP)
        assert evaluation.score == mean
        assert evaluation.stars == _stars(mean)
        assert evaluation.frozen_at is not None
        found[str(evaluation.dossier.registration.product)] = (
            totals,
            str(evaluation.score),
            evaluation.stars,
            evaluation.outcome,
        )
    assert found == FIRST_ROUND

    certificates = Certificate.objects.filter(evaluation__round=round).order_by(
        "number"
    )
    assert [(c.product_name, c.stars, str(c.score)) for c in certificates] == [
        ("Mật ong tươi Lai Châu", 3, "61.67"),
        ("Rượu ngô men lá hạ thổ", 3, "55.00"),
        ("Thịt lợn sấy", 3, "63.00"),
        ("Bột đông trùng hạ thảo", 3, "68.33"),
    ]
    assert [c.number for c in certificates] == [
        f"000{n}/2023/OCOP-12" for n in range(1, 5)
    ]
    for certificate in certificates:
        assert certificate.decision_number == "2150/QĐ-UBND"
        assert certificate.decision_date == date(2023, 6, 28) <= round.closes_on
        assert certificate.issued_on == date(2023, 6, 28)
        assert certificate.expires_on == date(2026, 6, 28)
        assert certificate.issuing_authority == "Ủy ban nhân dân thành phố Lai Châu"
        # 36 months have run since: the daily task's expiry was applied.
        assert certificate.status == CertificateStatus.EXPIRED
        assert certificate.registration.dossier.state == DossierState.CERTIFIED
    referred = round.evaluations.filter(outcome=Outcome.REFERRED)
    assert all(evaluation.referred_at is not None for evaluation in referred)
    ended = round.evaluations.get(outcome=Outcome.ENDED)
    assert ended.dossier.state == DossierState.NOT_CERTIFIED


def test_demo_province_round_certifies_4_stars_and_the_ministry_5(demo):
    """The two products Thành phố Lai Châu referred (76.67 and 82.67) are scored
    again by the province's council in July: 74, 71, 76 average 73.67, 4 stars,
    certified by the province under 148/QĐ-TTg; 91, 90, 93 average 91.33, referred
    from 90 to the Ministry, whose 5 stars are recorded by hand."""
    round = Round.objects.get(district__isnull=True, closes_on=date(2023, 7, 31))
    assert round.state == RoundState.CLOSED
    found = {
        str(e.dossier.registration.product): (
            sorted(s.total for s in e.member_scores.all()),
            str(e.score),
            e.stars,
            e.outcome,
        )
        for e in round.evaluations.select_related("dossier__registration__product")
    }
    assert found == {
        "Thịt trâu sấy Huy Râu": ([71, 74, 76], "73.67", 4, Outcome.CERTIFIED),
        "Đông trùng hạ thảo sấy thăng hoa": (
            [90, 91, 93],
            "91.33",
            5,
            Outcome.REFERRED,
        ),
    }

    province = Certificate.objects.get(evaluation__round=round)
    assert (province.product_name, province.stars, str(province.score)) == (
        "Thịt trâu sấy Huy Râu",
        4,
        "73.67",
    )
    assert (province.decision_number, province.decision_date) == (
        "1187/QĐ-UBND",
        date(2023, 8, 4),
    )
    assert province.issuing_authority == "Ủy ban nhân dân tỉnh Lai Châu"
    assert province.expires_on == date(2026, 8, 4)
    assert province.status == CertificateStatus.EXPIRED

    ministry = Certificate.objects.get(ministry_result__isnull=False)
    assert (ministry.product_name, ministry.stars) == (
        "Đông trùng hạ thảo sấy thăng hoa",
        5,
    )
    assert (ministry.decision_number, ministry.decision_date) == (
        "4820/QĐ-BNN-VPĐP",
        date(2023, 12, 20),
    )
    assert (ministry.issued_on, ministry.expires_on) == (
        date(2023, 12, 20),
        date(2026, 12, 20),
    )
    assert ministry.registration.dossier.state == DossierState.CERTIFIED
    assert ministry.tier.is_recorded


def test_demo_is_built_through_the_workflow_with_its_documents(demo):
    actions = Counter(AuditEntry.objects.values_list("action", flat=True))
    assert {
        action: actions[action]
        for action in [
            "evaluation.dossier.submitted",
            "evaluation.dossier.assessed",
            "evaluation.dossier.sent_up",
            "evaluation.dossier.added_to_round",
            "evaluation.evaluation.prechecked",
            "evaluation.score.submitted",
            "evaluation.round.closed",
            "evaluation.dossier.referred",
            "evaluation.dossier.ended",
            "evaluation.certificate.issued",
            "evaluation.certificate.expired",
            "evaluation.dossier.returned",
        ]
    } == {
        "evaluation.dossier.submitted": 19,
        "evaluation.dossier.assessed": 16,
        "evaluation.dossier.sent_up": 15,
        "evaluation.dossier.added_to_round": 15,
        "evaluation.evaluation.prechecked": 15,
        "evaluation.score.submitted": 27,
        "evaluation.round.closed": 2,
        "evaluation.dossier.referred": 3,
        "evaluation.dossier.ended": 1,
        "evaluation.certificate.issued": 6,
        # The district's four (28/06/2023) and the province's (04/08/2023) ran
        # their 36 months; the Ministry's (20/12/2023) runs to 20/12/2026.
        "evaluation.certificate.expired": 5
        if date.today() <= date(2026, 12, 20)
        else 6,
        "evaluation.dossier.returned": 2,
    }
    closers = AuditEntry.objects.filter(action="evaluation.round.closed")
    assert {e.actor.username for e in closers} == {"hoidong1"}
    issuer = AuditEntry.objects.filter(action="evaluation.certificate.issued")
    assert Counter(e.actor.username for e in issuer) == {"huyen.thanhpho": 4, "tinh": 2}

    jobs = Job.objects.order_by("id")
    assert [(j.kind, j.status, j.created_by.username) for j in jobs] == [
        ("documents.decision_certificates", JobStatus.DONE, "huyen.thanhpho"),
        ("documents.decision", JobStatus.DONE, "huyen.thanhpho"),
        ("documents.round_summary", JobStatus.DONE, "tinh"),
        ("documents.decision_certificates", JobStatus.DONE, "tinh"),
        ("documents.decision", JobStatus.DONE, "tinh"),
        ("documents.round_summary", JobStatus.DONE, "tinh"),
    ]
    # The Ministry's certificate is the Ministry's paper: recorded, not printed here.
    assert Counter(Document.objects.values_list("kind", flat=True)) == {
        DocumentKind.CERTIFICATE: 5,
        DocumentKind.CERTIFICATE_BUNDLE: 2,
        DocumentKind.DECISION: 2,
        DocumentKind.DECISION_ANNEX: 2,
        DocumentKind.ROUND_SUMMARY: 2,
    }


def test_demo_moves_are_made_by_the_role_that_makes_them(demo):
    """The district submits and puts into rounds, the commune assesses, sends up and
    returns what is at the commune, the province's office opens the year."""
    dossiers = {
        str(d.pk): d
        for d in Dossier.objects.select_related("registration", "current_tier")
    }
    commune_moves = Counter()
    roles = Counter()
    for entry in AuditEntry.objects.filter(
        action__startswith="evaluation.dossier."
    ).select_related("actor"):
        actor, dossier = entry.actor, dossiers[entry.object_id]
        roles[(entry.action, actor.role if actor else None)] += 1
        if actor is not None and actor.role == Role.COMMUNE_OFFICER:
            commune_moves[actor.commune_id == dossier.registration.commune_id] += 1
        if actor is not None and actor.role == Role.DISTRICT_OFFICER:
            assert actor.district_id == dossier.registration.district_id

    assert dict(roles) == {
        ("evaluation.dossier.created", Role.PROVINCE_STAFF): 105,
        ("evaluation.dossier.self_assessed", Role.DISTRICT_OFFICER): 13,
        ("evaluation.dossier.submitted", Role.DISTRICT_OFFICER): 19,
        ("evaluation.dossier.assessed", Role.COMMUNE_OFFICER): 16,
        ("evaluation.dossier.sent_up", Role.COMMUNE_OFFICER): 15,
        ("evaluation.dossier.samples_received", Role.DISTRICT_OFFICER): 14,
        ("evaluation.dossier.added_to_round", Role.DISTRICT_OFFICER): 13,
        ("evaluation.dossier.ended", Role.COUNCIL_MEMBER): 1,
        ("evaluation.dossier.referred", Role.DISTRICT_OFFICER): 2,
        ("evaluation.dossier.certified", Role.DISTRICT_OFFICER): 4,
        ("evaluation.dossier.added_to_round", Role.PROVINCE_STAFF): 2,
        ("evaluation.dossier.referred", Role.PROVINCE_STAFF): 1,
        ("evaluation.dossier.certified", Role.PROVINCE_STAFF): 2,
        ("evaluation.dossier.returned", Role.DISTRICT_OFFICER): 1,
        ("evaluation.dossier.returned", Role.COMMUNE_OFFICER): 1,
    }
    # Each commune's moves are made by that commune's officer.
    assert commune_moves == {True: 32}
    opened = AuditEntry.objects.get(action="evaluation.programme_year.opened")
    assert opened.actor.username == "tinh"
    imported = ImportBatch.objects.get()
    committed = AuditEntry.objects.get(action="registry.import.committed")
    assert (imported.created_by.username, committed.actor.username) == ("tinh", "tinh")


def _snapshot():
    return {
        "dossiers": list(
            Dossier.objects.order_by("id").values_list("id", "state", "updated_at")
        ),
        "evaluations": list(
            Evaluation.objects.order_by("id").values_list(
                "id", "score", "stars", "outcome", "computed_at", "frozen_at"
            )
        ),
        "scores": list(
            MemberScore.objects.order_by("id").values_list("id", "total", "updated_at")
        ),
        "certificates": list(
            Certificate.objects.order_by("id").values_list("number", "status")
        ),
        "rounds": list(Round.objects.order_by("id").values_list("id", "state")),
        "assessments": CommuneAssessment.objects.count(),
        "audit": AuditEntry.objects.count(),
        "jobs": Job.objects.count(),
        "documents": Document.objects.count(),
        "passwords": list(
            User.objects.order_by("username").values_list("username", "password")
        ),
    }


def test_setup_demo_twice_changes_nothing_and_keeps_what_people_did(lai_chau):
    _setup_demo()
    round = _round("106", date(2023, 10, 30))
    evaluation = round.evaluations.order_by("id").first()
    hoidong2 = User.objects.get(username="hoidong2")
    selections = sheet_selections(
        sheet_spec(evaluation.sheet), 64, rng=random.Random("hoidong2")
    )
    submit_member_score(evaluation, hoidong2, selections)
    # A product added on its page and a set cleared stay as people left them.
    honey = Product.objects.get(name="Mật ong tươi Lai Châu")
    honey.product_set = None
    honey.save(update_fields=["product_set"])
    added = Product.objects.create(producer=honey.producer, name="Rượu ngô Tả Lèng")
    before = _snapshot()

    out = _setup_demo()

    assert _snapshot() == before
    assert (
        Product.objects.filter(
            pk__in=[honey.pk, added.pk], product_set__isnull=True
        ).count()
        == 2
    )
    assert "Hồ sơ mẫu đi qua quy trình lần này" not in out
    assert "  hoidong1, hoidong3: 6 sản phẩm chờ chấm" in out
    assert "  hoidong2: 5 sản phẩm chờ chấm" in out


def _sheets():
    return list(
        ScoringSheet.objects.order_by("id").values_list(
            "id", "product_set__number", "version", "is_valid"
        )
    )


def _correction_post(sheet, **values):
    data = {f"r{c.pk}": "" for c in sheet.criteria.all()}
    data.update(
        {
            f"m{c.pk}": "" if c.max_points is None else str(c.max_points)
            for c in sheet.criteria.all()
        }
    )
    for option in Option.objects.filter(criterion__sheet=sheet):
        data[f"p{option.pk}"] = "" if option.points is None else str(option.points)
    data.update(values)
    return data


def test_setup_demo_again_after_sheet_corrections_leaves_those_sheets_alone(
    lai_chau, client
):
    _setup_demo()
    admin = User.objects.get(username="quantri")
    client.force_login(admin)
    # The newcomer's correction, part A at 41/40: now refused at the form.
    honey = ScoringSheet.objects.get(product_set__number=4, version=2)
    technology = honey.criteria.get(code="1.7")
    top = Option.objects.get(criterion=technology, order=2)
    refused = client.post(
        reverse("evaluation:sheet-correct", args=[honey.pk]),
        _correction_post(
            honey,
            **{
                f"p{top.pk}": "2",
                f"m{technology.pk}": "2",
                f"r{technology.pk}": "Thử.",
            },
        ),
    )
    # A correction that keeps the sheet of set 11 passing is accepted.
    tea = ScoringSheet.objects.get(product_set__number=11, version=2)
    origin = tea.criteria.get(code="1.1")
    lowest = Option.objects.get(criterion=origin, order=1)
    accepted = client.post(
        reverse("evaluation:sheet-correct", args=[tea.pk]),
        _correction_post(
            tea,
            **{f"p{lowest.pk}": str(lowest.points + 1), f"r{origin.pk}": "Thử."},
        ),
    )
    # What the page let through before: a failing version 3 of set 4, here made
    # by importing a file whose criterion 1.7 gives 2 points.
    criteria = json.loads(CRITERIA_FILE.read_text(encoding="utf-8"))
    criteria["product_sets"][3]["criteria"][0]["criteria"][6]["options"][1][
        "points"
    ] = 2
    import_scoring_sheets(
        read_criteria_file(json.dumps(criteria).encode(), name="sua.json"),
        actor=admin,
        numbers={4},
    )
    before, sheets = _snapshot(), _sheets()

    out = _setup_demo()

    assert (refused.status_code, accepted.status_code) == (400, 302)
    assert _snapshot() == before
    assert _sheets() == sheets
    assert (
        "Hiệu chỉnh đã biết: để nguyên 22 phiếu đã có hiệu chỉnh riêng. Phiên bản "
        "mới nhất không đạt kiểm tra: bộ 4 phiên bản 3; hội đồng chấm trên phiên bản "
        "đạt kiểm tra trước đó.\n"
    ) in out
    assert [
        (number, version, valid)
        for _id, number, version, valid in sheets
        if number in (4, 11)
    ] == [
        (4, 1, False),
        (11, 1, False),
        (4, 2, True),
        (11, 2, True),
        (11, 3, True),
        (4, 3, False),
    ]


def test_setup_demo_twice_says_the_known_corrections_are_not_applied_again(lai_chau):
    _setup_demo()

    out = _setup_demo()

    assert "Hiệu chỉnh đã biết: để nguyên 22 phiếu đã có hiệu chỉnh riêng.\n" in out
    assert ScoringSheet.objects.count() == 48


def test_sheet_selections_reach_the_total_and_the_star_minimums(lai_chau):
    sets = load_sheets(8)
    spec = sheet_spec(ScoringSheet.objects.get(product_set=sets[8], version=2))

    one = sheet_selections(spec, 73, rng=random.Random("a"))
    again = sheet_selections(spec, 73, rng=random.Random("a"))
    other = sheet_selections(spec, 73, rng=random.Random("b"))

    assert one == again != other
    for selections in (one, other):
        assert sum(part_totals(spec, selections).values()) == 73
        assert check_selections(spec, selections) == []
        assert unmet_minimums(spec, selections) == {3: [], 4: [], 5: ANY}
    with pytest.raises(ValueError):
        sheet_selections(spec, 101, rng=random.Random("a"))
