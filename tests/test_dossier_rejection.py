"""A dossier rejected whole (hồ sơ bị loại): the advisory team finds it at its
pre-check, or the chair at the meeting, for one of the cases its sheet lists under
“Hồ sơ bị loại khi”; the evaluation then ends without scoring, its result reads
“bị loại” with the reason, and the dossier ends not certified when the round
closes. On the real sheets: set 11 (tea, a food) and set 26 (tourism, no case)."""

from datetime import date
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from evaluation import services
from evaluation.enums import CouncilRole, DossierState, Outcome, RoundState
from evaluation.models import MemberScore
from evaluation.permissions import evaluations_to_score
from evaluation.sheets import sheet_spec
from ocop.models import AuditEntry
from registry.enums import Role
from tests.evaluation_builders import Meeting
from tests.factories import (
    TAM_DUONG,
    ProducerFactory,
    ProductFactory,
    RegistrationFactory,
    district,
    first_commune,
)
from tests.factories_evaluation import (
    CouncilFactory,
    MembershipFactory,
    ProgrammeYearFactory,
    account,
    load_sheets,
    prepared_dossier,
    rulebook,
    selections_for_total,
)

pytestmark = pytest.mark.django_db

TEA = 11
# Set 11's “Hồ sơ bị loại khi” paragraph, as Decision 26/2026/QĐ-TTg prints it.
TEA_REJECTED_WHEN = (
    "Giả mạo hồ sơ hoặc không tuân thủ đầy đủ các quy định về giấy chứng nhận cơ sở "
    "đủ điều kiện an toàn thực phẩm theo quy định; hoặc không đáp ứng về Hồ sơ đăng "
    "ký theo quy định"
)
NO_FOOD_SAFETY = (
    "Không có giấy chứng nhận cơ sở đủ điều kiện an toàn thực phẩm; bản nộp kèm là "
    "giấy của cơ sở khác."
)


@pytest.fixture
def tea(lai_chau):
    """A Tam Đường tea (set 11) in an open district round, not yet pre-checked."""
    sheet_set = load_sheets(TEA)[TEA]
    book = rulebook("148-2023")
    ProgrammeYearFactory(year=2023, rulebook=book)
    tier = book.tiers.get(order=2)
    tam_duong = district(TAM_DUONG)
    officer = account("huyen.td", Role.DISTRICT_OFFICER, district=tam_duong)
    commune = first_commune(TAM_DUONG)
    commune_officer = account(
        "xa.td", Role.COMMUNE_OFFICER, district=tam_duong, commune=commune
    )
    council = CouncilFactory(
        tier=tier, district=tam_duong, name="Hội đồng OCOP huyện Tam Đường 2023"
    )
    people = {}
    for username, role, last, first in [
        ("ct", CouncilRole.CHAIR, "Lò Văn", "Chủ"),
        ("pct", CouncilRole.VICE_CHAIR, "Tao Thị", "Phó"),
        ("uv", CouncilRole.MEMBER, "Vàng A", "Dình"),
        ("tv", CouncilRole.ADVISOR, "Phạm Thị", "Tư"),
    ]:
        user = account(username, Role.COUNCIL_MEMBER, last_name=last, first_name=first)
        MembershipFactory(council=council, user=user, role=role)
        people[username] = user
    round = services.open_round(
        tier,
        officer,
        council=council,
        year=2023,
        name="Đợt 2 năm 2023 huyện Tam Đường",
        closes_on=date(2023, 10, 30),
        district=tam_duong,
    )
    product = ProductFactory(
        producer=ProducerFactory(commune=commune),
        name="Chè Shan tuyết Tả Lèng",
        product_set=sheet_set,
        is_product_set_confirmed=True,
    )
    dossier = prepared_dossier(
        RegistrationFactory(product=product), officer, commune_officer
    )
    evaluation = services.add_to_round(round, dossier, officer)
    return SimpleNamespace(
        officer=officer,
        commune_officer=commune_officer,
        council=council,
        round=round,
        dossier=dossier,
        evaluation=evaluation,
        product=product,
        **people,
    )


def precheck_url(tea):
    return reverse("evaluation:evaluation-precheck", args=[tea.evaluation.pk])


def reject_at_precheck(client, tea, **data):
    client.force_login(tea.tv)
    return client.post(
        precheck_url(tea),
        {
            "report": "Đã kiểm tra hồ sơ và thăm cơ sở chế biến.",
            "conclusion": "rejected",
            "rejected_when": "0",
            "rejection_detail": NO_FOOD_SAFETY,
            **data,
        },
    )


def actions(evaluation):
    return list(
        AuditEntry.objects.filter(object_id=str(evaluation.pk))
        .filter(action__startswith="evaluation.evaluation.")
        .order_by("id")
        .values_list("action", "from_state", "to_state", "reason")
    )


# -- the pre-check -------------------------------------------------------------------


def test_precheck_page_shows_the_sheets_rejection_cases(client, tea):
    client.force_login(tea.tv)

    response = client.get(precheck_url(tea))

    form = response.context["form"]
    content = response.content.decode()
    assert response.status_code == 200
    assert response.context["rules"] == [TEA_REJECTED_WHEN]
    assert form.fields["rejected_when"].choices == [("0", TEA_REJECTED_WHEN)]
    assert list(form.fields["conclusion"].choices) == [
        ("passed", "Hồ sơ đủ điều kiện để hội đồng chấm điểm"),
        ("rejected", "Hồ sơ bị loại: không chấm điểm"),
    ]
    assert content.count(TEA_REJECTED_WHEN) == 2  # the rules, and the choice
    assert "theo phiếu chấm bộ sản phẩm số 11:" in content


def test_advisor_rejects_a_tea_dossier_without_its_food_safety_certificate(client, tea):
    response = reject_at_precheck(client, tea)

    tea.evaluation.refresh_from_db()
    evaluation = tea.evaluation
    assert response.status_code == 302
    assert response.url == reverse("evaluation:round-detail", args=[tea.round.pk])
    assert (
        evaluation.rejected_when,
        evaluation.rejection_detail,
        evaluation.rejected_by,
        evaluation.precheck_by,
    ) == (TEA_REJECTED_WHEN, NO_FOOD_SAFETY, tea.tv, tea.tv)
    assert (evaluation.score, evaluation.stars, evaluation.outcome) == (
        None,
        None,
        Outcome.ENDED,
    )
    assert evaluation.is_rejected
    assert actions(evaluation) == [
        ("evaluation.evaluation.prechecked", "", "", ""),
        ("evaluation.evaluation.rejected", "", Outcome.ENDED, NO_FOOD_SAFETY),
    ]
    entry = AuditEntry.objects.get(action="evaluation.evaluation.rejected")
    assert entry.data == {
        "rejected_when": TEA_REJECTED_WHEN,
        "at_precheck": True,
        "submitted_sheets": 0,
    }
    # The dossier stays in evaluation until the round closes.
    tea.dossier.refresh_from_db()
    assert tea.dossier.state == DossierState.IN_EVALUATION


def test_rejection_without_what_was_found_is_refused_at_the_field(client, tea):
    response = reject_at_precheck(client, tea, rejection_detail="  ")

    tea.evaluation.refresh_from_db()
    assert response.status_code == 400
    assert response.context["form"].errors == {
        "rejection_detail": [
            "Cần ghi cụ thể điều tìm thấy: giấy tờ nào giả mạo, thiếu giấy chứng "
            "nhận nào, hồ sơ thiếu gì."
        ]
    }
    assert 'class="invalid-feedback d-block"' in response.content.decode()
    assert (tea.evaluation.precheck_at, tea.evaluation.rejected_at) == (None, None)
    assert actions(tea.evaluation) == []


def test_rejection_for_a_case_not_on_the_sheet_is_refused_at_the_field(client, tea):
    response = reject_at_precheck(client, tea, rejected_when="3")
    with pytest.raises(ValidationError) as error:
        services.record_precheck(
            tea.evaluation,
            tea.tv,
            "Đã kiểm tra.",
            is_rejected=True,
            rejected_when="Sản phẩm không có nhãn",
            detail="Thiếu nhãn.",
        )

    tea.evaluation.refresh_from_db()
    assert response.status_code == 400
    assert response.context["form"].errors == {
        "rejected_when": ["Cần chọn một trường hợp hồ sơ bị loại ghi trên phiếu chấm."]
    }
    assert error.value.message_dict == {
        "rejected_when": ["Cần chọn một trường hợp hồ sơ bị loại ghi trên phiếu chấm."]
    }
    assert (tea.evaluation.precheck_at, tea.evaluation.rejected_at) == (None, None)


def test_what_was_found_with_a_passing_conclusion_is_refused(client, tea):
    response = reject_at_precheck(client, tea, conclusion="passed")

    assert response.status_code == 400
    assert response.context["form"].errors == {
        "conclusion": [
            "Đã ghi điều tìm thấy để loại hồ sơ nhưng kết luận là hồ sơ đủ điều "
            "kiện: hãy chọn lại kết luận."
        ]
    }
    assert actions(tea.evaluation) == []


def test_a_passing_precheck_lets_the_council_score(client, tea):
    client.force_login(tea.tv)

    client.post(precheck_url(tea), {"report": "Hồ sơ đầy đủ.", "conclusion": "passed"})

    tea.evaluation.refresh_from_db()
    assert tea.evaluation.precheck_report == "Hồ sơ đầy đủ."
    assert tea.evaluation.rejected_at is None
    assert services.can_score(tea.evaluation, tea.uv) == (True, "")


def test_tourism_sheet_lists_no_case_of_a_dossier_rejected_whole(client, lai_chau):
    meeting = Meeting()
    advisor = meeting.council.memberships.get(role=CouncilRole.ADVISOR).user
    client.force_login(advisor)

    page = client.get(
        reverse("evaluation:evaluation-precheck", args=[meeting.evaluation.pk])
    )
    with pytest.raises(ValidationError) as error:
        services.reject_dossier(
            meeting.evaluation,
            meeting.chair,
            rejected_when="Giả mạo hồ sơ",
            detail="Giấy phép kinh doanh lữ hành giả.",
        )

    assert page.context["rules"] == []
    assert "Phiếu chấm bộ sản phẩm số 26 không ghi trường hợp hồ sơ bị loại." in (
        page.content.decode()
    )
    assert error.value.message_dict == {
        "rejected_when": [
            "Phiếu chấm của bộ sản phẩm 26 không ghi trường hợp hồ sơ bị loại: hồ sơ "
            "được hội đồng chấm điểm."
        ]
    }


# -- after the rejection -------------------------------------------------------------


@pytest.fixture
def rejected(client, tea):
    reject_at_precheck(client, tea)
    tea.evaluation.refresh_from_db()
    client.logout()
    return tea


def test_members_cannot_score_a_rejected_dossier(client, rejected):
    tea = rejected
    spec = sheet_spec(tea.evaluation.sheet)
    selections = selections_for_total(spec, 80)
    url = reverse("evaluation:evaluation-score", args=[tea.evaluation.pk])
    client.force_login(tea.uv)

    page = client.get(url)
    client.post(
        url,
        {
            **{f"c{spec.owner(i).id}": str(i) for i in selections},
            "action": "submit",
        },
    )

    content = page.content.decode()
    assert 'id="scoring-rejected"' in content
    assert TEA_REJECTED_WHEN in content
    assert NO_FOOD_SAFETY in content
    assert 'id="submit-sheet"' not in content
    assert not MemberScore.objects.exists()
    assert services.can_score(tea.evaluation, tea.uv) == (
        False,
        f"Hồ sơ bị loại, không chấm điểm: {TEA_REJECTED_WHEN}",
    )
    assert list(evaluations_to_score(tea.uv)) == []


def test_round_page_shows_the_rejection_instead_of_a_score(client, rejected):
    tea = rejected
    url = reverse("evaluation:round-detail", args=[tea.round.pk])
    client.force_login(tea.uv)
    member_view = client.get(url).content.decode()
    client.force_login(tea.officer)

    officer_view = client.get(url).content.decode()

    for content in (member_view, officer_view):
        row = content.split(f'id="evaluation-{tea.evaluation.pk}"')[1].split("</tr>")[0]
        assert 'class="badge text-bg-danger result-rejected">bị loại' in row
        assert TEA_REJECTED_WHEN in row
        assert NO_FOOD_SAFETY in row
        assert "Phạm Thị Tư, ngày" in row
        assert "score-link" not in row
    assert "Hồ sơ bị loại: không chấm điểm" in member_view


def test_closing_the_round_ends_the_rejected_dossier_not_certified(rejected):
    tea = rejected

    services.close_round(tea.round, tea.ct)
    referred = services.refer_round(tea.round, tea.officer)

    tea.round.refresh_from_db()
    tea.dossier.refresh_from_db()
    tea.evaluation.refresh_from_db()
    assert tea.round.state == RoundState.CLOSED
    assert tea.dossier.state == DossierState.NOT_CERTIFIED
    assert tea.evaluation.is_frozen
    assert (tea.evaluation.score, tea.evaluation.outcome) == (None, Outcome.ENDED)
    assert referred == []
    assert services.certification_groups(tea.round) == []
    ended = AuditEntry.objects.get(action="evaluation.dossier.ended")
    assert (ended.to_state, ended.reason, ended.data) == (
        DossierState.NOT_CERTIFIED,
        NO_FOOD_SAFETY,
        {"rejected_when": TEA_REJECTED_WHEN},
    )


def test_dossier_page_and_product_history_show_the_rejection(client, rejected):
    tea = rejected
    services.close_round(tea.round, tea.ct)
    client.force_login(tea.officer)

    dossier = client.get(
        reverse("evaluation:dossier-detail", args=[tea.dossier.pk])
    ).content.decode()
    product = client.get(tea.product.get_absolute_url()).content.decode()

    results = dossier.split('id="dossier-evaluations"')[1].split("</table>")[0]
    history = dossier.split('id="dossier-history"')[1]
    product_history = product.split('id="evaluation-history"')[1]
    assert 'result-rejected">bị loại' in results
    assert TEA_REJECTED_WHEN in results
    assert NO_FOOD_SAFETY in results
    assert "Kết thúc, không được công nhận" in history
    assert f"Hồ sơ bị loại khi: {TEA_REJECTED_WHEN}" in history
    assert 'result-rejected">bị loại' in product_history
    assert "Hồ sơ bị loại, không chấm điểm</span>" in product_history
    assert product_history.count(NO_FOOD_SAFETY) == 3  # result, rejection, end


def test_rejection_is_published_to_a_commune_officer_when_the_round_closes(
    client, rejected
):
    tea = rejected
    client.force_login(tea.commune_officer)
    url = tea.product.get_absolute_url()

    before = client.get(url).content.decode().split('id="evaluation-history"')[1]
    services.close_round(tea.round, tea.ct)
    after = client.get(url).content.decode().split('id="evaluation-history"')[1]

    assert "Kết quả được công bố khi đợt đánh giá đóng." in before
    assert "Hội đồng ghi kết luận về hồ sơ (công bố khi đợt đánh giá đóng)" in before
    assert NO_FOOD_SAFETY not in before
    assert TEA_REJECTED_WHEN not in before
    assert NO_FOOD_SAFETY in after
    assert "Hồ sơ bị loại, không chấm điểm</span>" in after


def test_rejecting_twice_or_after_the_round_closed_is_refused(rejected):
    tea = rejected

    with pytest.raises(ValidationError) as twice:
        services.reject_dossier(
            tea.evaluation, tea.ct, rejected_when=TEA_REJECTED_WHEN, detail="Lại."
        )
    services.close_round(tea.round, tea.ct)
    with pytest.raises(ValidationError) as closed:
        services.reject_dossier(
            tea.evaluation, tea.ct, rejected_when=TEA_REJECTED_WHEN, detail="Lại."
        )

    assert twice.value.messages[0].startswith("Hồ sơ đã bị loại từ trước (")
    assert closed.value.messages == ["Kết quả đã chốt; không sửa được nữa."]


# -- the chair, at the meeting -------------------------------------------------------


@pytest.fixture
def scored(tea):
    """Pre-checked as complete; the vice-chair and the member have submitted (75
    on average: referred to the province, once the chair's sheet is in)."""
    services.record_precheck(tea.evaluation, tea.tv, "Hồ sơ đầy đủ.")
    spec = sheet_spec(tea.evaluation.sheet)
    for member, total in ((tea.pct, 74), (tea.uv, 76)):
        services.submit_member_score(
            tea.evaluation, member, selections_for_total(spec, total)
        )
    services.compute_result(tea.evaluation, tea.ct)
    tea.evaluation.refresh_from_db()
    return tea


def test_computing_leaves_the_rejected_dossier_out_of_the_count(client, scored):
    tea = scored
    services.reject_dossier(
        tea.evaluation, tea.ct, rejected_when=TEA_REJECTED_WHEN, detail=NO_FOOD_SAFETY
    )
    other = services.add_to_round(
        tea.round,
        prepared_dossier(
            RegistrationFactory(
                product=ProductFactory(
                    producer=ProducerFactory(commune=first_commune(TAM_DUONG)),
                    name="Chè Shan tuyết Sin Suối Hồ",
                    product_set=tea.product.product_set,
                    is_product_set_confirmed=True,
                )
            ),
            tea.officer,
            tea.commune_officer,
        ),
        tea.officer,
    )
    services.record_precheck(other, tea.tv, "Hồ sơ đầy đủ.")
    spec = sheet_spec(other.sheet)
    for member in (tea.ct, tea.pct, tea.uv):
        services.submit_member_score(other, member, selections_for_total(spec, 60))
    client.force_login(tea.ct)

    response = client.post(
        reverse("evaluation:round-compute", args=[tea.round.pk]), follow=True
    )

    tea.evaluation.refresh_from_db()
    assert [(m.level_tag, m.message) for m in response.context["messages"]] == [
        (
            "success",
            "Đã tính kết quả cho 1 trong 2 sản phẩm của đợt. 1 sản phẩm có kết quả "
            "mới. 1 hồ sơ bị loại nên không tính.",
        )
    ]
    assert (tea.evaluation.score, tea.evaluation.outcome) == (None, Outcome.ENDED)


def test_computing_a_round_of_only_a_rejected_dossier_says_nothing_to_compute(
    client, scored
):
    tea = scored
    services.reject_dossier(
        tea.evaluation, tea.ct, rejected_when=TEA_REJECTED_WHEN, detail=NO_FOOD_SAFETY
    )
    client.force_login(tea.ct)

    response = client.post(
        reverse("evaluation:round-compute", args=[tea.round.pk]), follow=True
    )

    assert [(m.level_tag, m.message) for m in response.context["messages"]] == [
        (
            "warning",
            "Chưa có gì để tính: 1 hồ sơ trong đợt bị loại nên không tính.",
        )
    ]


def test_draft_saved_after_the_dossier_was_rejected_says_it_was_not_saved(
    client, scored
):
    tea = scored
    spec = sheet_spec(tea.evaluation.sheet)
    services.reject_dossier(
        tea.evaluation, tea.ct, rejected_when=TEA_REJECTED_WHEN, detail=NO_FOOD_SAFETY
    )
    client.force_login(tea.ct)

    response = client.post(
        reverse("evaluation:evaluation-score", args=[tea.evaluation.pk]),
        {
            **{f"c{spec.owner(i).id}": str(i) for i in selections_for_total(spec, 70)},
            "action": "save",
            "sheet": str(tea.evaluation.sheet_id),
        },
        headers={"HX-Request": "true"},
    )

    content = response.content.decode()
    assert response.status_code == 409
    assert (
        f"Hồ sơ bị loại, không chấm điểm: {TEA_REJECTED_WHEN}. Những lựa chọn vừa "
        "gửi không được lưu."
    ) in content
    assert "Tải lại trang" in content
    assert not MemberScore.objects.filter(member=tea.ct).exists()


def test_chair_rejects_at_the_meeting_after_sheets_are_in(client, scored):
    tea = scored
    url = reverse("evaluation:evaluation-reject", args=[tea.evaluation.pk])
    client.force_login(tea.ct)

    page = client.get(url)
    client.post(
        url,
        {
            "rejected_when": "0",
            "rejection_detail": "Hợp đồng tiêu thụ nộp kèm là giả mạo.",
        },
    )
    services.close_round(tea.round, tea.ct)

    tea.evaluation.refresh_from_db()
    tea.dossier.refresh_from_db()
    assert TEA_REJECTED_WHEN in page.content.decode()
    assert (tea.evaluation.rejected_by, tea.evaluation.rejection_detail) == (
        tea.ct,
        "Hợp đồng tiêu thụ nộp kèm là giả mạo.",
    )
    assert (tea.evaluation.score, tea.evaluation.outcome) == (None, Outcome.ENDED)
    assert tea.dossier.state == DossierState.NOT_CERTIFIED
    # The sheets already in are kept, not counted.
    assert sorted(
        MemberScore.objects.filter(evaluation=tea.evaluation).values_list(
            "total", flat=True
        )
    ) == [74, 76]
    entry = AuditEntry.objects.get(action="evaluation.evaluation.rejected")
    assert (entry.actor, entry.from_state, entry.data["submitted_sheets"]) == (
        tea.ct,
        Outcome.REFERRED,
        2,
    )


def test_advisor_cannot_reject_once_sheets_are_in(client, scored):
    tea = scored

    response = reject_at_precheck(client, tea)

    tea.evaluation.refresh_from_db()
    assert response.status_code == 400
    assert response.context["form"].non_field_errors() == [
        "Thành viên hội đồng đã nộp phiếu chấm sản phẩm này: việc loại hồ sơ do "
        "Chủ tịch hội đồng quyết định tại phiên họp."
    ]
    assert tea.evaluation.rejected_at is None


@pytest.mark.parametrize("who", ["pct", "tv", "officer"])
def test_only_the_chair_rejects_at_the_meeting(client, scored, who):
    tea = scored
    url = reverse("evaluation:evaluation-reject", args=[tea.evaluation.pk])
    client.force_login(getattr(tea, who))

    page = client.get(url)
    response = client.post(
        url, {"rejected_when": "0", "rejection_detail": "Hồ sơ giả mạo."}
    )

    tea.evaluation.refresh_from_db()
    assert (page.status_code, response.status_code) == (403, 403)
    assert tea.evaluation.rejected_at is None
    assert tea.evaluation.outcome == Outcome.REFERRED


def test_scoring_page_shows_the_sheets_rejection_cases(client, scored):
    tea = scored
    client.force_login(tea.ct)
    url = reverse("evaluation:evaluation-score", args=[tea.evaluation.pk])

    chair_view = client.get(url).content.decode()
    client.force_login(tea.uv)
    member_view = client.get(url).content.decode()

    for content in (chair_view, member_view):
        rules = content.split('id="rejection-rules"')[1].split('id="scoring-form"')[0]
        assert TEA_REJECTED_WHEN in rules
    assert 'id="reject-link"' in chair_view
    assert 'id="reject-link"' not in member_view
    assert "báo Chủ tịch hội đồng" in member_view
