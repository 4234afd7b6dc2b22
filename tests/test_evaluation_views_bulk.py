"""The round page's actions on many products at once say how many they changed, and
say so plainly (a warning, not a success) when they changed none."""

from datetime import date

import pytest
from django.urls import reverse

from evaluation import services
from evaluation.enums import DossierState
from evaluation.models import Certificate, Evaluation
from evaluation.sheets import sheet_spec
from tests.evaluation_builders import Meeting, waiting_dossier
from tests.factories_evaluation import selections_for_total
from tests.test_evaluation_views import score_all, second_options

pytestmark = pytest.mark.django_db


@pytest.fixture
def meeting(lai_chau):
    return Meeting()


def said(response):
    return [(m.level_tag, m.message) for m in response.context["messages"]]


def act(client, name, round, data=None):
    return client.post(
        reverse(f"evaluation:{name}", args=[round.pk]), data or {}, follow=True
    )


def empty_round(meeting):
    return services.open_round(
        meeting.round.tier,
        meeting.officer,
        council=meeting.council,
        year=2023,
        name="Đợt 2 năm 2023 huyện Tam Đường",
        closes_on=date(2023, 10, 30),
        district=meeting.round.district,
    )


# -- putting dossiers into the round ---------------------------------------------------


def test_adding_with_nothing_ticked_says_nothing_was_chosen(client, meeting):
    waiting = waiting_dossier(meeting.officer, name="Du lịch bản Lao Chải")
    client.force_login(meeting.officer)

    response = act(client, "round-add", meeting.round)

    waiting.refresh_from_db()
    assert said(response) == [
        ("warning", "Chưa chọn hồ sơ nào: không có hồ sơ nào được đưa vào đợt.")
    ]
    assert waiting.state == DossierState.WAITING
    assert meeting.round.evaluations.count() == 1


def test_adding_ticked_dossiers_says_how_many(client, meeting):
    first = waiting_dossier(meeting.officer, name="Du lịch bản Lao Chải")
    second = waiting_dossier(meeting.officer, name="Du lịch bản Giang Ma")
    client.force_login(meeting.officer)

    response = act(
        client, "round-add", meeting.round, {"dossier": [first.pk, second.pk]}
    )

    assert said(response) == [("success", "Đã đưa 2 hồ sơ vào đợt.")]
    assert meeting.round.evaluations.count() == 3


def test_adding_stops_whole_when_one_ticked_dossier_cannot_go_in(client, meeting):
    waiting = waiting_dossier(meeting.officer, name="Du lịch bản Lao Chải")
    client.force_login(meeting.officer)

    response = act(
        client,
        "round-add",
        meeting.round,
        {"dossier": [waiting.pk, meeting.dossier.pk]},
    )

    waiting.refresh_from_db()
    product = meeting.dossier.registration.product.name
    assert said(response) == [
        (
            "error",
            f"{product}: Hồ sơ đang ở trạng thái “Đang đánh giá”, không thực hiện "
            "được thao tác này.",
        )
    ]
    assert waiting.state == DossierState.WAITING
    assert meeting.round.evaluations.count() == 1


# -- computing the results -------------------------------------------------------------


def test_computing_a_round_without_products_says_there_is_nothing(client, meeting):
    round = empty_round(meeting)
    client.force_login(meeting.officer)

    response = act(client, "round-compute", round)

    assert said(response) == [
        ("warning", "Đợt chưa có sản phẩm nào: chưa có gì để tính.")
    ]


def test_computing_before_any_sheet_is_in_says_there_is_nothing(client, meeting):
    client.force_login(meeting.chair)

    response = act(client, "round-compute", meeting.round)

    meeting.evaluation.refresh_from_db()
    assert said(response) == [
        ("warning", "Chưa có phiếu chấm nào được nộp: chưa có gì để tính.")
    ]
    assert meeting.evaluation.computed_at is None


def test_computing_says_how_many_results_it_worked_out_and_changed(client, meeting):
    score_all(meeting)
    client.force_login(meeting.chair)

    first = act(client, "round-compute", meeting.round)
    again = act(client, "round-compute", meeting.round)

    meeting.evaluation.refresh_from_db()
    assert said(first) == [
        ("success", "Đã tính kết quả cho 1 sản phẩm. 1 sản phẩm có kết quả mới.")
    ]
    assert said(again) == [
        (
            "info",
            "Đã tính kết quả cho 1 sản phẩm. 1 sản phẩm giữ nguyên kết quả đã tính "
            "trước đó.",
        )
    ]
    assert meeting.evaluation.score == 71


def test_computing_leaves_out_products_without_sheets(client, meeting):
    score_all(meeting)
    unscored = services.add_to_round(
        meeting.round,
        waiting_dossier(meeting.officer, name="Du lịch bản Lao Chải"),
        meeting.officer,
    )
    client.force_login(meeting.officer)

    response = act(client, "round-compute", meeting.round)

    unscored.refresh_from_db()
    assert said(response) == [
        (
            "success",
            "Đã tính kết quả cho 1 trong 2 sản phẩm của đợt. 1 sản phẩm có kết quả "
            "mới. 1 sản phẩm chưa có phiếu nộp nên chưa tính.",
        )
    ]
    assert unscored.computed_at is None


def scored_by(meeting, evaluation, members):
    for member in members:
        services.submit_member_score(evaluation, member, second_options(evaluation))


def test_computing_does_not_count_blocked_results_as_worked_out(client, meeting):
    score_all(meeting)
    blocked = services.add_to_round(
        meeting.round,
        waiting_dossier(meeting.officer, name="Du lịch bản Lao Chải"),
        meeting.officer,
    )
    services.record_precheck(blocked, meeting.chair, "Hồ sơ đầy đủ.")
    scored_by(meeting, blocked, meeting.scorers()[1:])
    services.add_to_round(
        meeting.round,
        waiting_dossier(meeting.officer, name="Du lịch bản Giang Ma"),
        meeting.officer,
    )
    client.force_login(meeting.chair)

    response = act(client, "round-compute", meeting.round)

    blocked.refresh_from_db()
    assert said(response) == [
        (
            "warning",
            "Đã tính kết quả cho 1 trong 3 sản phẩm của đợt. 1 sản phẩm có kết quả "
            "mới. 1 sản phẩm bị chặn nên chưa có kết quả: Du lịch bản Lao Chải (Mới "
            "có 2 trong 3 thành viên được chấm sản phẩm này nộp phiếu, chưa có phiếu "
            "của Chủ tịch hội đồng; quy chế cần ít nhất 3/4 số thành viên đó "
            "(3 người) nộp phiếu, kể cả Chủ tịch). 1 sản phẩm chưa có phiếu nộp nên "
            "chưa tính.",
        )
    ]
    assert len(blocked.blocked_reasons) == 1


def test_computing_with_every_result_blocked_says_none_was_worked_out(client, meeting):
    scored_by(meeting, meeting.evaluation, meeting.scorers()[1:])
    client.force_login(meeting.chair)

    response = act(client, "round-compute", meeting.round)

    product = meeting.dossier.registration.product.name
    assert said(response) == [
        (
            "warning",
            "Chưa tính được kết quả nào trong 1 sản phẩm của đợt. 1 sản phẩm bị chặn "
            f"nên chưa có kết quả: {product} (Mới có 2 trong 3 thành viên được chấm "
            "sản phẩm này nộp phiếu, chưa có phiếu của Chủ tịch hội đồng; quy chế cần "
            "ít nhất 3/4 số thành viên đó (3 người) nộp phiếu, kể cả Chủ tịch).",
        )
    ]


def scored_with_totals(meeting, evaluation, totals):
    spec = sheet_spec(evaluation.sheet)
    for member, total in zip(meeting.scorers(), totals, strict=True):
        services.submit_member_score(
            evaluation, member, selections_for_total(spec, total)
        )


def round_of(meeting, count):
    """The meeting's round with ``count`` products in all, the others prechecked
    and without sheets; returns the round's evaluations, the meeting's first."""
    evaluations = [meeting.evaluation]
    for number in range(1, count):
        evaluation = services.add_to_round(
            meeting.round,
            waiting_dossier(meeting.officer, name=f"Du lịch bản số {number}"),
            meeting.officer,
        )
        services.record_precheck(evaluation, meeting.chair, "Hồ sơ đầy đủ.")
        evaluations.append(evaluation)
    return evaluations


SPREAD = (
    "Điểm của các thành viên chênh nhau 60 điểm, vượt mức cho phép 10: hội đồng "
    "cần thảo luận và chấm lại"
)


def test_computing_one_blocked_product_among_six_counts_each_product_once(
    client, meeting
):
    # The newcomer's round: six products, one scored far apart by the three members
    # (100, 40 and 100: a spread of 60 over the limit of 10), no sheet on the others.
    round_of(meeting, 6)
    scored_with_totals(meeting, meeting.evaluation, (100, 40, 100))
    client.force_login(meeting.chair)

    response = act(client, "round-compute", meeting.round)

    product = meeting.dossier.registration.product.name
    assert said(response) == [
        (
            "warning",
            "Chưa tính được kết quả nào trong 6 sản phẩm của đợt. 1 sản phẩm bị chặn "
            f"nên chưa có kết quả: {product} ({SPREAD}). 5 sản phẩm chưa có phiếu "
            "nộp nên chưa tính.",
        )
    ]


def test_computing_again_tells_new_kept_and_blocked_results_apart(client, meeting):
    kept, fresh, blocked, _unscored = round_of(meeting, 4)
    scored_with_totals(meeting, kept, (71, 71, 71))
    services.compute_result(kept, meeting.chair)
    # Sheets in since the last computing: a new result, and a blocked one.
    scored_with_totals(meeting, fresh, (60, 60, 60))
    scored_with_totals(meeting, blocked, (100, 40, 100))
    client.force_login(meeting.chair)

    response = act(client, "round-compute", meeting.round)

    assert said(response) == [
        (
            "warning",
            "Đã tính kết quả cho 2 trong 4 sản phẩm của đợt. 1 sản phẩm có kết quả "
            "mới. 1 sản phẩm giữ nguyên kết quả đã tính trước đó. 1 sản phẩm bị chặn "
            f"nên chưa có kết quả: Du lịch bản số 2 ({SPREAD}). 1 sản phẩm chưa có "
            "phiếu nộp nên chưa tính.",
        )
    ]


def test_computing_unchanged_results_beside_unscored_ones_says_so(client, meeting):
    round_of(meeting, 3)
    score_all(meeting)
    services.compute_result(meeting.evaluation, meeting.chair)
    client.force_login(meeting.chair)

    response = act(client, "round-compute", meeting.round)

    assert said(response) == [
        (
            "info",
            "Đã tính kết quả cho 1 trong 3 sản phẩm của đợt. 1 sản phẩm giữ nguyên "
            "kết quả đã tính trước đó. 2 sản phẩm chưa có phiếu nộp nên chưa tính.",
        )
    ]


def test_computing_a_result_no_longer_blocked_counts_it_as_new(client, meeting):
    scored_by(meeting, meeting.evaluation, meeting.scorers()[1:])
    services.compute_result(meeting.evaluation, meeting.chair)
    scored_by(meeting, meeting.evaluation, meeting.scorers()[:1])
    client.force_login(meeting.chair)

    response = act(client, "round-compute", meeting.round)

    meeting.evaluation.refresh_from_db()
    assert said(response) == [
        ("success", "Đã tính kết quả cho 1 sản phẩm. 1 sản phẩm có kết quả mới.")
    ]
    assert meeting.evaluation.blocked_reasons == []


# -- referring and certifying ----------------------------------------------------------


def closed(meeting, low_parts=()):
    score_all(meeting, low_parts=low_parts)
    services.close_round(meeting.round, meeting.chair)


def test_referring_says_how_many_and_then_that_none_is_left(client, meeting):
    closed(meeting)
    client.force_login(meeting.officer)

    first = act(client, "round-refer", meeting.round)
    again = act(client, "round-refer", meeting.round)

    meeting.dossier.refresh_from_db()
    assert said(first) == [("success", "Đã chuyển 1 hồ sơ lên cấp trên.")]
    assert said(again) == [
        (
            "warning",
            "Không còn sản phẩm nào để chuyển: 1 sản phẩm có kết quả đề nghị cấp trên "
            "đã được chuyển lên Hội đồng đánh giá, phân hạng cấp tỉnh.",
        )
    ]
    assert meeting.dossier.current_tier.order == 3


def round_header(client, meeting):
    page = client.get(reverse("evaluation:round-detail", args=[meeting.round.pk]))
    return page.content.decode().split('id="round-state"')[1].split("</div>")[0]


def test_refer_button_counts_what_is_left_and_is_disabled_once_all_went(
    client, meeting
):
    closed(meeting)
    client.force_login(meeting.officer)

    before = round_header(client, meeting)
    act(client, "round-refer", meeting.round)
    after = round_header(client, meeting)

    assert 'id="refer-round"' in before
    assert "Chuyển cấp trên (1 sản phẩm)" in before
    assert 'id="refer-round"' not in after
    assert 'type="button" disabled' in after
    assert "Đã chuyển hết: 1 sản phẩm đề nghị cấp trên đã được chuyển." in after


def test_referring_a_round_of_certified_results_says_none_was_referred(client, meeting):
    closed(meeting, low_parts=("C",))
    client.force_login(meeting.officer)

    response = act(client, "round-refer", meeting.round)

    meeting.evaluation.refresh_from_db()
    assert said(response) == [
        (
            "warning",
            "Không còn sản phẩm nào để chuyển: trong đợt không có sản phẩm nào có kết "
            "quả đề nghị cấp trên.",
        )
    ]
    assert meeting.evaluation.referred_at is None
    header = round_header(client, meeting)
    assert ("refer-round" in header, "refer-done" in header) == (False, False)


DECISION = {"decision_number": "45/QĐ-UBND", "decision_date": "2023-07-10"}
NO_CERTIFICATE = (
    "warning",
    "Không cấp giấy chứng nhận nào: trong đợt không có kết quả được công nhận nào "
    "chưa có giấy.",
)


def test_certifying_says_how_many_and_then_that_none_is_left(client, meeting):
    closed(meeting, low_parts=("C",))
    client.force_login(meeting.officer)

    first = act(client, "round-certify", meeting.round, DECISION)
    again = act(client, "round-certify", meeting.round, DECISION)

    assert said(first) == [("success", "Đã cấp 1 giấy chứng nhận.")]
    assert said(again) == [NO_CERTIFICATE]
    assert Certificate.objects.count() == 1


def test_certifying_a_round_whose_results_go_up_says_none_was_issued(client, meeting):
    closed(meeting)
    client.force_login(meeting.officer)

    response = act(client, "round-certify", meeting.round, DECISION)

    assert said(response) == [NO_CERTIFICATE]
    assert not Certificate.objects.exists()
    assert Evaluation.objects.get().outcome == "referred"
