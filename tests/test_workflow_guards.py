"""Each workflow move refuses what the programme does not allow, in Vietnamese, and
leaves the database as it was."""

from datetime import date, timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from evaluation import services
from evaluation.enums import (
    CertificateStatus,
    CouncilRole,
    DossierState,
    Outcome,
    RevocationGround,
    RoundState,
)
from evaluation.models import Evaluation, MemberScore, ScoreCorrection
from evaluation.sheets import load_scoring_sheets, sheet_spec
from ocop.models import AuditEntry
from registry.enums import RegistrationKind, Role
from registry.models import ProductSet
from tests.factories import (
    LAI_CHAU_CITY,
    TAM_DUONG,
    ProducerFactory,
    ProductFactory,
    RegistrationFactory,
    district,
    first_commune,
)
from tests.factories_evaluation import (
    MembershipFactory,
    ProgrammeYearFactory,
    account,
    council_with_members,
    load_sheets,
    prepared_dossier,
    rulebook,
    score_by_council,
    selections_for_total,
)

TEA = 11
TODAY = timezone.localdate()
TOMORROW = TODAY + timedelta(days=1)


def tea_registration(tea, name="Chè Shan tuyết Tả Lèng", district_code=TAM_DUONG):
    producer = ProducerFactory(commune=first_commune(district_code))
    product = ProductFactory(
        producer=producer, name=name, product_set=tea, is_product_set_confirmed=True
    )
    return RegistrationFactory(product=product)


@pytest.fixture
def world(lai_chau):
    tea = load_sheets(TEA)[TEA]
    book = rulebook("148-2023")
    ProgrammeYearFactory(year=2023, rulebook=book)
    tier = book.tiers.get(order=2)
    tam_duong = district(TAM_DUONG)
    officer = account("huyen.g", Role.DISTRICT_OFFICER, district=tam_duong)
    commune_officer = account(
        "xa.g", Role.COMMUNE_OFFICER, commune=first_commune(TAM_DUONG)
    )
    council, members = council_with_members(tier, 3, district=tam_duong, prefix="g")
    round = services.open_round(
        tier,
        officer,
        council=council,
        year=2023,
        name="Đợt 1 năm 2023 huyện Tam Đường",
        closes_on=date(2023, 6, 30),
        district=tam_duong,
    )
    dossier = prepared_dossier(tea_registration(tea), officer, commune_officer)
    evaluation = services.add_to_round(round, dossier, officer)
    return SimpleNamespace(
        tea=tea,
        book=book,
        tier=tier,
        officer=officer,
        commune_officer=commune_officer,
        council=council,
        members=members,
        chair=members[0],
        round=round,
        dossier=dossier,
        evaluation=evaluation,
        spec=sheet_spec(evaluation.sheet),
    )


# -- dossier -------------------------------------------------------------------------


def new_dossier(world, name="Chè xanh Bản Giang"):
    return services.create_dossier(tea_registration(world.tea, name), world.officer)


def test_submit_dossier_without_a_confirmed_product_set_is_refused(world):
    dossier = new_dossier(world)
    product = dossier.registration.product
    product.is_product_set_confirmed = False
    product.save()

    with pytest.raises(ValidationError) as error:
        services.submit_dossier(dossier, world.officer)

    assert error.value.messages == [
        "Cần xác nhận bộ sản phẩm của sản phẩm trước khi nộp hồ sơ."
    ]
    dossier.refresh_from_db()
    assert dossier.state == DossierState.DRAFT


def test_send_up_without_the_commune_assessment_is_refused(world):
    dossier = new_dossier(world)
    services.submit_dossier(dossier, world.officer)

    with pytest.raises(ValidationError) as error:
        services.send_up(dossier, world.commune_officer)

    assert error.value.messages == [
        "Hồ sơ chưa có đánh giá của xã nên chưa gửi lên cấp trên được."
    ]
    dossier.refresh_from_db()
    assert (dossier.state, dossier.current_tier.order) == (DossierState.SUBMITTED, 1)


def test_commune_assessment_needs_all_four_narratives(world):
    dossier = new_dossier(world)
    services.submit_dossier(dossier, world.officer)

    with pytest.raises(ValidationError) as error:
        services.record_commune_assessment(
            dossier,
            world.commune_officer,
            local_origin="Nguyên liệu tại xã.",
            local_labour="",
            idea_origin="Nghề truyền thống.",
            local_identity=" ",
        )

    assert error.value.message_dict == {
        "local_labour": ["Cần đánh giá việc sử dụng lao động địa phương."],
        "local_identity": ["Cần đánh giá tính đặc trưng, bản sắc địa phương."],
    }
    dossier.refresh_from_db()
    assert dossier.state == DossierState.SUBMITTED


def test_return_and_resubmit_keep_the_reason(world):
    dossier = new_dossier(world)
    services.submit_dossier(dossier, world.officer)

    services.return_dossier(dossier, world.commune_officer, "Thiếu phiếu kiểm nghiệm.")
    dossier.refresh_from_db()
    returned_state = dossier.state
    services.resubmit_dossier(dossier, world.officer)
    dossier.refresh_from_db()

    assert returned_state == DossierState.RETURNED
    assert dossier.state == DossierState.SUBMITTED
    assert dossier.returned_reason == "Thiếu phiếu kiểm nghiệm."
    entries = AuditEntry.objects.filter(object_id=str(dossier.pk)).order_by("id")
    assert [(e.action, e.from_state, e.to_state, e.reason) for e in entries][-2:] == [
        (
            "evaluation.dossier.returned",
            "submitted",
            "returned",
            "Thiếu phiếu kiểm nghiệm.",
        ),
        (
            "evaluation.dossier.resubmitted",
            "returned",
            "submitted",
            "Thiếu phiếu kiểm nghiệm.",
        ),
    ]


def test_return_dossier_without_a_reason_is_refused(world):
    dossier = new_dossier(world)
    services.submit_dossier(dossier, world.officer)

    with pytest.raises(ValidationError) as error:
        services.return_dossier(dossier, world.officer, "")

    assert error.value.message_dict == {"reason": ["Cần ghi lý do trả lại hồ sơ."]}


def test_commune_assessment_is_due_fifteen_working_days_after_receipt(world):
    dossier = new_dossier(world)
    # Wednesday 1 March 2023: 15 working days later is Wednesday 22 March.
    services.submit_dossier(dossier, world.officer, received_on=date(2023, 3, 1))
    dossier.refresh_from_db()

    assert dossier.assessment_due_on == date(2023, 3, 22)
    assert dossier.is_assessment_overdue(today=date(2023, 3, 22)) is False
    assert dossier.is_assessment_overdue(today=date(2023, 3, 23)) is True


def test_assessed_dossier_is_never_overdue(world):
    assert world.dossier.is_assessment_overdue(today=date(2030, 1, 1)) is False


def test_evidence_on_a_dossier_already_submitted_is_refused(world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("giay-phep.pdf", b"%PDF-1.4", "application/pdf")

    with pytest.raises(ValidationError) as error:
        services.attach_evidence(world.dossier, world.officer, upload)

    assert error.value.messages == ["Hồ sơ đã nộp; không thêm minh chứng được nữa."]
    assert world.dossier.evidence.count() == 0


def test_samples_are_recorded_while_the_dossier_is_under_way(world):
    # The dossier came with its 5 samples (prepared_dossier) before its round.
    received = world.dossier.received_on

    services.record_samples(world.dossier, world.officer, count=3, received_on=TODAY)

    world.dossier.refresh_from_db()
    entries = AuditEntry.objects.filter(
        action="evaluation.dossier.samples_received"
    ).order_by("id")
    assert (world.dossier.samples_received, world.dossier.samples_received_on) == (
        3,
        TODAY,
    )
    assert [entry.data for entry in entries] == [
        {"count": 5, "received_on": received.isoformat()},
        {"count": 3, "received_on": TODAY.isoformat()},
    ]


def test_samples_of_an_ended_dossier_are_refused(world):
    score_by_council(world.evaluation, world.members, [30, 32, 31])
    services.close_round(world.round, world.chair)

    with pytest.raises(ValidationError) as error:
        services.record_samples(
            world.dossier, world.officer, count=3, received_on=date(2023, 7, 2)
        )

    world.dossier.refresh_from_db()
    assert error.value.messages == [
        "Hồ sơ đang ở trạng thái “Không đạt”, không thực hiện được thao tác này."
    ]
    # The 5 samples the dossier came with, unchanged.
    assert (world.dossier.samples_received, world.dossier.samples_received_on) == (
        5,
        world.dossier.received_on,
    )


@pytest.mark.parametrize(
    ("count", "received_on", "errors"),
    [
        (0, TODAY, ["samples_received"]),
        (101, TODAY, ["samples_received"]),
        (5000, None, ["samples_received", "samples_received_on"]),
        (5, TOMORROW, ["samples_received_on"]),
        (5, date(1900, 1, 1), ["samples_received_on"]),
        (5, date(2022, 12, 31), ["samples_received_on"]),
    ],
)
def test_samples_out_of_range_or_of_a_day_to_come_are_refused(
    world, count, received_on, errors
):
    with pytest.raises(ValidationError) as error:
        services.record_samples(
            world.dossier, world.officer, count=count, received_on=received_on
        )

    world.dossier.refresh_from_db()
    assert sorted(error.value.message_dict) == errors
    messages = error.value.message_dict
    if "samples_received" in messages:
        assert messages["samples_received"] == [
            "Số mẫu phải từ 1 đến 100: hồ sơ nộp 5 mẫu sản phẩm, thêm vài mẫu khi cần "
            "kiểm nghiệm; số lớn hơn thường là gõ nhầm."
        ]
    if received_on == TOMORROW:
        assert messages["samples_received_on"] == ["Ngày không được sau hôm nay."]
    elif received_on is not None and received_on < date(2023, 1, 1):
        assert messages["samples_received_on"] == [
            "Ngày không được trước 01/01/2023: hồ sơ thuộc năm chương trình 2023."
        ]
    # The 5 samples the dossier came with, unchanged.
    assert (world.dossier.samples_received, world.dossier.samples_received_on) == (
        5,
        world.dossier.received_on,
    )


def test_commune_assessment_of_a_day_to_come_is_refused(world):
    dossier = new_dossier(world)
    services.submit_dossier(dossier, world.officer)

    with pytest.raises(ValidationError) as error:
        services.record_commune_assessment(
            dossier,
            world.commune_officer,
            local_origin="Nguyên liệu tại xã.",
            local_labour="Hộ trong xã.",
            idea_origin="Nghề truyền thống.",
            local_identity="Chè cổ thụ.",
            assessed_on=TOMORROW,
        )

    dossier.refresh_from_db()
    assert error.value.message_dict == {"assessed_on": ["Ngày không được sau hôm nay."]}
    assert dossier.state == DossierState.SUBMITTED


# -- rounds --------------------------------------------------------------------------


def test_add_to_round_refuses_a_dossier_of_another_district(world):
    registration = tea_registration(world.tea, "Chè Sin Suối Hồ", LAI_CHAU_CITY)
    dossier = prepared_dossier(registration, world.officer, world.commune_officer)

    with pytest.raises(ValidationError) as error:
        services.add_to_round(world.round, dossier, world.officer)

    assert error.value.messages == ["Hồ sơ không thuộc địa bàn của đợt đánh giá."]
    assert not Evaluation.objects.filter(dossier=dossier).exists()


def test_add_to_round_refuses_a_sheet_that_failed_its_checks(world):
    # Set 4 (honey) as printed, without the corrections recorded.
    load_scoring_sheets(numbers={4})
    registration = tea_registration(world.tea, "Mật ong Mường Tè")
    product = registration.product
    product.product_set = ProductSet.objects.get(number=4)
    product.save()
    dossier = prepared_dossier(registration, world.officer, world.commune_officer)

    with pytest.raises(ValidationError) as error:
        services.add_to_round(world.round, dossier, world.officer)

    assert error.value.messages == [
        "Phiếu chấm của bộ sản phẩm 4 chưa đạt kiểm tra; cần ghi hiệu chỉnh trước "
        "khi chấm."
    ]
    dossier.refresh_from_db()
    assert dossier.state == DossierState.WAITING


def test_a_council_takes_one_chair_and_each_person_once(world):
    newcomer = account("g.moi", Role.COUNCIL_MEMBER)

    with pytest.raises(ValidationError) as second_chair:
        services.add_council_member(
            world.council, world.officer, newcomer, CouncilRole.CHAIR
        )
    with pytest.raises(ValidationError) as twice:
        services.add_council_member(
            world.council, world.officer, world.members[1], CouncilRole.SECRETARY
        )

    assert second_chair.value.message_dict == {"role": ["Hội đồng đã có Chủ tịch."]}
    assert twice.value.message_dict == {
        "user": ["Người này đã là thành viên hội đồng."]
    }
    assert world.council.memberships.count() == 3


# -- scoring -------------------------------------------------------------------------


def test_scoring_before_the_advisory_pre_check_is_refused(world):
    selections = selections_for_total(world.spec, 80)

    with pytest.raises(ValidationError) as error:
        services.submit_member_score(world.evaluation, world.members[1], selections)

    assert error.value.messages == ["Tổ tư vấn chưa báo cáo kết quả kiểm tra hồ sơ."]


def test_a_draft_with_two_options_of_one_criterion_is_refused(world):
    services.record_precheck(world.evaluation, world.chair, "Đủ hồ sơ.")
    first = world.spec.leaves()[0]
    two = [option.id for option in first.options[:2]]

    with pytest.raises(ValidationError) as error:
        services.save_member_score(world.evaluation, world.members[1], two)

    assert error.value.messages == [
        f"Tiêu chí {first.code} chỉ được chọn một phương án."
    ]
    assert not MemberScore.objects.filter(member=world.members[1]).exists()


def test_only_council_members_score(world):
    services.record_precheck(world.evaluation, world.chair, "Đủ hồ sơ.")
    outsider = account("khong.phai", Role.COUNCIL_MEMBER)

    with pytest.raises(ValidationError) as error:
        services.save_member_score(world.evaluation, outsider, [])

    assert error.value.messages == ["Chỉ thành viên hội đồng của đợt được chấm điểm."]


def test_advisory_team_does_not_score(world):
    advisor = MembershipFactory(council=world.council, role=CouncilRole.ADVISOR).user
    services.record_precheck(world.evaluation, advisor, "Đã thăm cơ sở sản xuất.")
    world.evaluation.refresh_from_db()

    with pytest.raises(ValidationError):
        services.save_member_score(world.evaluation, advisor, [])

    assert world.evaluation.precheck_by == advisor


def test_incomplete_sheet_cannot_be_submitted(world):
    services.record_precheck(world.evaluation, world.chair, "Đủ hồ sơ.")
    selections = selections_for_total(world.spec, 80)[1:]

    with pytest.raises(ValidationError) as error:
        services.submit_member_score(world.evaluation, world.chair, selections)

    assert error.value.messages == ["Tiêu chí 1.1 chưa được chấm."]
    assert not MemberScore.objects.exists()


def test_member_sees_only_their_own_sheet_until_they_submit(world):
    services.record_precheck(world.evaluation, world.chair, "Đủ hồ sơ.")
    first, second = world.members[1], world.members[2]
    services.submit_member_score(
        world.evaluation, first, selections_for_total(world.spec, 80)
    )
    services.save_member_score(
        world.evaluation, second, selections_for_total(world.spec, 75)
    )

    before = list(services.visible_member_scores(world.evaluation, second))
    services.submit_member_score(
        world.evaluation, second, selections_for_total(world.spec, 75)
    )
    after = services.visible_member_scores(world.evaluation, second)

    assert [(s.member, s.total) for s in before] == [(second, 75)]
    assert sorted(s.total for s in after) == [75, 80]
    assert list(services.visible_member_scores(world.evaluation, world.chair)) == []
    assert list(services.visible_member_scores(world.evaluation, world.officer)) == []


def test_submitted_sheet_is_locked(world):
    services.record_precheck(world.evaluation, world.chair, "Đủ hồ sơ.")
    member = world.members[1]
    services.submit_member_score(
        world.evaluation, member, selections_for_total(world.spec, 80)
    )

    with pytest.raises(ValidationError) as error:
        services.save_member_score(
            world.evaluation, member, selections_for_total(world.spec, 90)
        )

    score = MemberScore.objects.get(member=member)
    submitted_at = f"{timezone.localtime(score.submitted_at):%H:%M %d/%m/%Y}"
    assert error.value.messages == [
        f"Phiếu của bạn đã nộp lúc {submitted_at} và đã khóa (có thể nộp từ một thẻ "
        "hoặc máy khác): những lựa chọn vừa gửi không được lưu. Chỉ Chủ tịch hội "
        "đồng được hiệu chỉnh, có ghi lý do."
    ]
    assert score.total == 80


def test_chair_corrects_a_submitted_sheet_with_a_reason(world):
    services.record_precheck(world.evaluation, world.chair, "Đủ hồ sơ.")
    member = world.members[1]
    score = services.submit_member_score(
        world.evaluation, member, selections_for_total(world.spec, 80)
    )

    services.correct_member_score(
        score,
        world.chair,
        selections_for_total(world.spec, 78),
        reason="Thành viên tích nhầm tiêu chí 5.",
    )

    score.refresh_from_db()
    correction = ScoreCorrection.objects.get()
    assert score.total == 78
    assert (correction.corrected_by, correction.reason) == (
        world.chair,
        "Thành viên tích nhầm tiêu chí 5.",
    )
    assert (correction.before["total"], correction.after["total"]) == (80, 78)
    assert AuditEntry.objects.filter(action="evaluation.score.corrected").count() == 1


def test_correction_by_a_member_who_is_not_the_chair_is_refused(world):
    services.record_precheck(world.evaluation, world.chair, "Đủ hồ sơ.")
    score = services.submit_member_score(
        world.evaluation, world.members[1], selections_for_total(world.spec, 80)
    )

    with pytest.raises(ValidationError) as error:
        services.correct_member_score(
            score,
            world.members[2],
            selections_for_total(world.spec, 70),
            reason="Sửa.",
        )

    assert error.value.messages == [
        "Chỉ Chủ tịch hội đồng được thực hiện thao tác này."
    ]
    score.refresh_from_db()
    assert score.total == 80
    assert not ScoreCorrection.objects.exists()


def test_member_with_a_conflict_of_interest_cannot_score(world):
    services.record_precheck(world.evaluation, world.chair, "Đủ hồ sơ.")
    member = world.members[2]
    services.declare_conflict(
        world.council, member, world.dossier, "Là người thân của chủ thể."
    )

    with pytest.raises(ValidationError) as error:
        services.submit_member_score(
            world.evaluation, member, selections_for_total(world.spec, 80)
        )

    assert error.value.messages == [
        "Thành viên đã khai xung đột lợi ích với sản phẩm này."
    ]


def test_conflicted_member_is_left_out_of_the_quorum(world):
    services.declare_conflict(
        world.council, world.members[2], world.dossier, "Là người thân của chủ thể."
    )
    score_by_council(world.evaluation, world.members[:2], [80, 82])

    services.close_round(world.round, world.chair)

    world.evaluation.refresh_from_db()
    assert (world.evaluation.score, world.evaluation.stars) == (Decimal("81.00"), 4)


# -- results -------------------------------------------------------------------------


def computed_entries(evaluation):
    entries = AuditEntry.objects.filter(
        action="evaluation.result.computed", object_id=str(evaluation.pk)
    ).order_by("pk")
    return [(e.from_state, e.to_state, e.data["score"]) for e in entries]


def test_compute_result_again_unchanged_records_no_second_audit_entry(world):
    score_by_council(world.evaluation, world.members, [80, 81, 82])

    services.compute_result(world.evaluation, world.chair)
    services.compute_result(world.evaluation, world.chair)
    services.compute_result(world.evaluation, world.officer)

    assert computed_entries(world.evaluation) == [("", Outcome.REFERRED, "81.00")]


def test_compute_result_records_an_entry_when_the_score_changes(world):
    score_by_council(world.evaluation, world.members[:2], [60, 62])
    services.compute_result(world.evaluation, world.chair)

    score_by_council(world.evaluation, world.members[2:], [64])
    services.compute_result(world.evaluation, world.chair)
    services.compute_result(world.evaluation, world.chair)

    world.evaluation.refresh_from_db()
    assert world.evaluation.score == Decimal("62.00")
    assert computed_entries(world.evaluation) == [
        ("", Outcome.CERTIFIED, "61.00"),
        (Outcome.CERTIFIED, Outcome.CERTIFIED, "62.00"),
    ]


def test_close_round_with_a_spread_over_ten_is_refused_and_changes_nothing(world):
    score_by_council(world.evaluation, world.members, [79, 85, 90])

    with pytest.raises(ValidationError) as error:
        services.close_round(world.round, world.chair)

    assert error.value.messages == [
        "Chè Shan tuyết Tả Lèng: Điểm của các thành viên chênh nhau 11 điểm, vượt "
        "mức cho phép 10: hội đồng cần thảo luận và chấm lại."
    ]
    world.round.refresh_from_db()
    world.evaluation.refresh_from_db()
    assert world.round.state == RoundState.OPEN
    assert (world.evaluation.score, world.evaluation.frozen_at) == (None, None)
    assert not AuditEntry.objects.filter(action="evaluation.result.computed").exists()


def test_close_round_without_quorum_is_refused(world):
    extra = MembershipFactory(council=world.council).user
    score_by_council(world.evaluation, world.members[:2], [80, 81])

    with pytest.raises(ValidationError) as error:
        services.close_round(world.round, world.chair)

    assert error.value.messages == [
        "Chè Shan tuyết Tả Lèng: Mới có 2 trong 4 thành viên được chấm sản phẩm này "
        "nộp phiếu; quy chế cần ít nhất 3/4 số thành viên đó (3 người) nộp phiếu, kể "
        "cả Chủ tịch."
    ]
    assert extra.council_memberships.count() == 1


def test_close_round_by_a_member_who_is_not_the_chair_is_refused(world):
    score_by_council(world.evaluation, world.members, [80, 81, 82])

    with pytest.raises(ValidationError) as error:
        services.close_round(world.round, world.members[1])

    assert error.value.messages == [
        "Chỉ Chủ tịch hội đồng được thực hiện thao tác này."
    ]
    world.round.refresh_from_db()
    assert world.round.state == RoundState.OPEN


def test_results_are_frozen_once_the_round_is_closed(world):
    score_by_council(world.evaluation, world.members, [80, 81, 82])
    services.close_round(world.round, world.chair)
    score = MemberScore.objects.get(member=world.members[1])

    with pytest.raises(ValidationError) as correcting:
        services.correct_member_score(
            score, world.chair, selections_for_total(world.spec, 70), reason="Sửa."
        )
    with pytest.raises(ValidationError) as computing:
        services.compute_result(world.evaluation)

    assert correcting.value.messages == ["Kết quả đã chốt; không sửa được nữa."]
    assert computing.value.messages == ["Kết quả đã chốt; không sửa được nữa."]
    world.evaluation.refresh_from_db()
    assert world.evaluation.score == Decimal("81.00")


def test_knock_out_marked_by_most_members_ends_the_dossier(world):
    services.record_precheck(world.evaluation, world.chair, "Đủ hồ sơ.")
    origin = next(c for c in world.spec.walk() if c.code == "1.1")
    selections = selections_for_total(world.spec, 85)
    for member, marks in zip(
        world.members, [[origin.id], [origin.id], []], strict=True
    ):
        services.submit_member_score(world.evaluation, member, selections, marks)

    services.close_round(world.round, world.chair)

    world.evaluation.refresh_from_db()
    world.dossier.refresh_from_db()
    assert world.evaluation.is_knocked_out is True
    assert (world.evaluation.stars, world.evaluation.outcome) == (None, Outcome.ENDED)
    assert world.dossier.state == DossierState.NOT_CERTIFIED


def test_certify_before_the_round_is_closed_is_refused(world):
    with pytest.raises(ValidationError) as error:
        services.certify(
            world.round,
            world.officer,
            decision_number="1/QĐ-UBND",
            decision_date=date(2023, 7, 1),
        )

    assert error.value.messages == ["Cần đóng đợt đánh giá trước khi công nhận."]


def test_ministry_result_for_a_dossier_not_referred_there_is_refused(world):
    with pytest.raises(ValidationError) as error:
        services.record_ministry_result(
            world.dossier,
            world.officer,
            stars=5,
            decision_number="1/QĐ-BNN",
            decision_date=date(2023, 12, 1),
        )

    assert error.value.messages == [
        "Hồ sơ đang ở trạng thái “Đang đánh giá”, không thực hiện được thao tác này."
    ]


def test_certify_with_a_decision_dated_after_today_is_refused(world):
    score_by_council(world.evaluation, world.members, [60, 62, 61])
    services.close_round(world.round, world.chair)

    with pytest.raises(ValidationError) as error:
        services.certify(
            world.round,
            world.officer,
            decision_number="125/QĐ-UBND",
            decision_date=TOMORROW,
        )

    assert error.value.message_dict == {
        "decision_date": ["Ngày không được sau hôm nay."]
    }
    assert world.evaluation.certificates.count() == 0


@pytest.mark.parametrize("decision_date", [date(1900, 1, 1), date(2022, 12, 31)])
def test_certify_with_a_decision_dated_before_the_round_year_is_refused(
    world, decision_date
):
    score_by_council(world.evaluation, world.members, [60, 62, 61])
    services.close_round(world.round, world.chair)

    with pytest.raises(ValidationError) as error:
        services.certify(
            world.round,
            world.officer,
            decision_number="125/QĐ-UBND",
            decision_date=decision_date,
        )

    assert error.value.message_dict == {
        "decision_date": [
            "Ngày không được trước 01/01/2023: đợt đánh giá thuộc năm 2023."
        ]
    }
    assert world.evaluation.certificates.count() == 0


BEFORE_DOSSIER_YEAR = (
    "Ngày không được trước 01/01/2023: hồ sơ thuộc năm chương trình 2023."
)


@pytest.mark.parametrize(
    ("decision_date", "score", "field", "message"),
    [
        (TOMORROW, None, "decision_date", "Ngày không được sau hôm nay."),
        (date(1900, 1, 1), None, "decision_date", BEFORE_DOSSIER_YEAR),
        (date(2022, 12, 31), None, "decision_date", BEFORE_DOSSIER_YEAR),
        (date(2023, 12, 1), Decimal("150"), "score", "Điểm phải từ 0 đến 100."),
        (date(2023, 12, 1), Decimal("-1"), "score", "Điểm phải từ 0 đến 100."),
    ],
)
def test_ministry_result_of_a_day_to_come_or_off_the_scale_is_refused(
    world, decision_date, score, field, message
):
    ministry = world.book.tiers.get(order=4)
    Evaluation.objects.filter(pk=world.evaluation.pk).delete()
    world.dossier.state, world.dossier.current_tier = DossierState.WAITING, ministry
    world.dossier.save(update_fields=["state", "current_tier"])

    with pytest.raises(ValidationError) as error:
        services.record_ministry_result(
            world.dossier,
            world.officer,
            stars=5,
            score=score,
            decision_number="1/QĐ-BNN",
            decision_date=decision_date,
        )

    world.dossier.refresh_from_db()
    assert error.value.message_dict == {field: [message]}
    assert world.dossier.state == DossierState.WAITING
    assert world.dossier.registration.certificates.count() == 0


def test_certificate_is_numbered_valid_36_months_and_can_be_revoked(world):
    score_by_council(world.evaluation, world.members, [60, 62, 61])
    services.close_round(world.round, world.chair)
    (certificate,) = services.certify(
        world.round,
        world.officer,
        decision_number="125/QĐ-UBND",
        decision_date=date(2023, 7, 5),
    )

    services.revoke_certificate(
        certificate,
        world.officer,
        "Ngừng sản xuất.",
        ground=RevocationGround.PRODUCTION_STOPPED,
        found_on=date(2024, 2, 20),
        decision_number="30/QĐ-UBND",
        decision_date=date(2024, 3, 1),
    )
    certificate.refresh_from_db()
    with pytest.raises(ValidationError) as error:
        services.revoke_certificate(certificate, world.officer, "Lần nữa.")

    assert certificate.number == "0001/2023/OCOP-12"
    assert (certificate.issued_on, certificate.expires_on) == (
        date(2023, 7, 5),
        date(2026, 7, 5),
    )
    assert (certificate.status, certificate.revoked_reason) == (
        CertificateStatus.REVOKED,
        "Ngừng sản xuất.",
    )
    assert error.value.messages == ["Giấy chứng nhận đã bị thu hồi."]


def test_expire_certificates_marks_those_past_their_date(world):
    score_by_council(world.evaluation, world.members, [60, 62, 61])
    services.close_round(world.round, world.chair)
    (certificate,) = services.certify(
        world.round,
        world.officer,
        decision_number="125/QĐ-UBND",
        decision_date=date(2023, 7, 5),
    )

    assert services.expire_certificates(today=date(2026, 7, 5)) == 0
    assert services.expire_certificates(today=date(2026, 7, 6)) == 1
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.EXPIRED


def test_expire_certificates_task_expires_a_certificate_past_its_date_once(world):
    from django.utils import timezone

    from evaluation import tasks
    from evaluation.models import add_months
    from ocop.celery import app

    score_by_council(world.evaluation, world.members, [60, 62, 61])
    services.close_round(world.round, world.chair)
    issued = add_months(timezone.localdate(), -36) - timedelta(days=1)
    (certificate,) = services.certify(
        world.round, world.officer, decision_number="125/QĐ-UBND", decision_date=issued
    )

    first = tasks.expire_certificates.delay().get()
    second = tasks.expire_certificates.delay().get()

    certificate.refresh_from_db()
    assert certificate.expires_on < timezone.localdate()
    assert (first, second, certificate.status) == (1, 0, CertificateStatus.EXPIRED)
    expired = AuditEntry.objects.filter(action="evaluation.certificate.expired")
    assert list(expired.values_list("object_id", flat=True)) == [str(certificate.pk)]
    entry = app.conf.beat_schedule["expire-certificates"]
    assert entry["task"] == tasks.expire_certificates.name
    assert (entry["schedule"].hour, entry["schedule"].minute) == ({0}, {30})


def test_product_history_lists_every_move(world):
    score_by_council(world.evaluation, world.members, [60, 62, 61])
    services.close_round(world.round, world.chair)

    history = services.dossier_history(world.dossier.registration.product)

    assert sorted(e.action for e in history) == sorted(
        [
            "evaluation.dossier.created",
            "evaluation.dossier.submitted",
            "evaluation.dossier.assessed",
            "evaluation.dossier.sent_up",
            "evaluation.dossier.samples_received",
            "evaluation.dossier.added_to_round",
            "evaluation.evaluation.prechecked",
            "evaluation.score.submitted",
            "evaluation.score.submitted",
            "evaluation.score.submitted",
            "evaluation.result.computed",
        ]
    )


def test_upgrade_dossier_follows_the_products_certificate(world):
    score_by_council(world.evaluation, world.members, [60, 62, 61])
    services.close_round(world.round, world.chair)
    (certificate,) = services.certify(
        world.round,
        world.officer,
        decision_number="125/QĐ-UBND",
        decision_date=date(2023, 7, 5),
    )
    ProgrammeYearFactory(year=2024, rulebook=world.book)
    upgrade = RegistrationFactory(
        product=world.dossier.registration.product,
        year=2024,
        kind=RegistrationKind.UPGRADE,
    )

    dossier = services.create_dossier(upgrade, world.officer)

    assert dossier.follows == certificate
    entry = AuditEntry.objects.filter(action="evaluation.dossier.created").first()
    assert entry.data == {"rulebook": "148-2023", "follows": "0001/2023/OCOP-12"}
