"""The demo's evaluation step and the sheet-loading command."""

from django.core.management import call_command

from evaluation.demo import setup_demo_evaluation
from evaluation.enums import CouncilRole, RoundState
from evaluation.models import CouncilMembership, ProgrammeYear, Round, ScoringSheet
from registry.demo import create_demo_accounts


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
