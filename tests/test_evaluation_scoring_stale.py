"""The scoring page gone out of date: the member submitted from another tab, the
round closed, the sheet moved to a new version, a conflict was declared, the session
ended. What was posted is not saved, the page (or the draft status, for «Lưu nháp»)
says why and what to do, and shows the sheet as it is stored, never the values
posted as if they were the sheet."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from evaluation import services
from evaluation.models import CouncilSettings, MemberScore
from evaluation.sheets import correct_sheet, sheet_spec
from registry.enums import Role
from tests.evaluation_builders import Meeting
from tests.factories import UserFactory
from tests.test_evaluation_views import as_post, second_options

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


@pytest.fixture
def meeting(lai_chau):
    return Meeting()


def at(moment):
    return f"{timezone.localtime(moment):%H:%M %d/%m/%Y}"


def score_url(meeting):
    return reverse("evaluation:evaluation-score", args=[meeting.evaluation.pk])


def checked(html):
    """The option ids ticked on a scoring page."""
    return sorted(
        int(i)
        for i in re.findall(
            r'<input class="form-check-input option" type="radio" name="c\d+" '
            r'id="o\d+" value="(\d+)"[^>]* checked',
            html,
        )
    )


def locked_message(score):
    return (
        f"Phiếu của bạn đã nộp lúc {at(score.submitted_at)} và đã khóa (có thể nộp "
        "từ một thẻ hoặc máy khác): những lựa chọn vừa gửi không được lưu. Chỉ Chủ "
        "tịch hội đồng được hiệu chỉnh, có ghi lý do."
    )


# -- submitted from another tab --------------------------------------------------------


@pytest.mark.parametrize("action", ["submit", "save"])
def test_posting_from_a_second_tab_after_submitting_shows_the_submitted_sheet(
    client, meeting, action
):
    member = meeting.scorers()[1]
    spec = sheet_spec(meeting.evaluation.sheet)
    submitted = second_options(meeting.evaluation)
    other = second_options(meeting.evaluation, low_parts=("C",))
    client.force_login(member)
    client.post(score_url(meeting), as_post(submitted, spec, action="submit"))

    response = client.post(
        score_url(meeting),
        as_post(other, spec, action=action, sheet=meeting.evaluation.sheet_id),
    )

    score = MemberScore.objects.get(member=member)
    content = response.content.decode()
    assert response.status_code == 200
    assert checked(content) == sorted(submitted)
    assert sorted(score.selections) == sorted(submitted)
    assert locked_message(score) in content
    assert (
        "Trang đang hiện phiếu như đã lưu, không phải những lựa chọn vừa gửi."
        in content
    )
    assert 'id="scoring-locked"' in content
    assert 'id="submit-sheet"' not in content


def test_incomplete_submission_keeps_what_was_ticked(client, meeting):
    member = meeting.scorers()[1]
    spec = sheet_spec(meeting.evaluation.sheet)
    ticked = second_options(meeting.evaluation)[1:]
    client.force_login(member)

    response = client.post(score_url(meeting), as_post(ticked, spec, action="submit"))

    content = response.content.decode()
    assert checked(content) == sorted(ticked)
    assert "Tiêu chí 1.1 chưa được chấm." in content
    assert 'id="scoring-shows-stored"' not in content


def test_draft_saved_with_htmx_on_a_submitted_sheet_says_it_was_not_saved(
    client, meeting
):
    member = meeting.scorers()[1]
    spec = sheet_spec(meeting.evaluation.sheet)
    submitted = second_options(meeting.evaluation)
    client.force_login(member)
    client.post(score_url(meeting), as_post(submitted, spec, action="submit"))

    response = client.post(
        score_url(meeting),
        as_post(submitted[:3], spec, action="save"),
        headers=HTMX,
    )

    score = MemberScore.objects.get(member=member)
    content = response.content.decode()
    assert response.status_code == 409
    assert locked_message(score) in content
    assert 'data-save-status="refused"' in content
    assert "Tải lại trang" in content
    assert "Đã lưu nháp" not in content
    assert len(score.selections) == len(submitted)


def test_service_refuses_a_submitted_sheet_before_checking_what_was_posted(meeting):
    member = meeting.scorers()[1]
    submitted = second_options(meeting.evaluation)
    score = services.submit_member_score(meeting.evaluation, member, submitted)

    with pytest.raises(ValidationError) as error:
        services.submit_member_score(meeting.evaluation, member, submitted[1:])

    assert error.value.code == "locked"
    assert error.value.messages == [locked_message(score)]


# -- the round closed ------------------------------------------------------------------


@pytest.fixture
def closed(meeting):
    """Two of three members suffice here (2/3, chair not required); the third still
    has the page open when the chair closes the round."""
    CouncilSettings.objects.create(
        province=meeting.round.province,
        quorum_numerator=2,
        quorum_denominator=3,
        is_chair_required=False,
    )
    chair, vice, _member = meeting.scorers()
    for user in (chair, vice):
        services.submit_member_score(
            meeting.evaluation, user, second_options(meeting.evaluation)
        )
    services.close_round(meeting.round, chair)
    meeting.round.refresh_from_db()
    return meeting


def test_draft_saved_after_the_round_closed_says_so_and_where_to_look(client, closed):
    meeting = closed
    member = meeting.scorers()[2]
    spec = sheet_spec(meeting.evaluation.sheet)
    client.force_login(member)

    response = client.post(
        score_url(meeting),
        as_post(second_options(meeting.evaluation), spec, action="save"),
        headers=HTMX,
    )

    content = response.content.decode()
    assert response.status_code == 409
    assert (
        f"Đợt đánh giá đã đóng lúc {at(meeting.round.closed_at)}. Những lựa chọn "
        "vừa gửi không được lưu; kết quả đã chốt xem ở trang đợt “Đợt 1 năm 2023 "
        "huyện Tam Đường”."
    ) in content
    assert "Đã lưu nháp" not in content
    assert not MemberScore.objects.filter(member=member).exists()


def test_submitting_after_the_round_closed_leads_to_the_round_page(client, closed):
    meeting = closed
    member = meeting.scorers()[2]
    spec = sheet_spec(meeting.evaluation.sheet)
    client.force_login(member)

    submitted = client.post(
        score_url(meeting),
        as_post(second_options(meeting.evaluation), spec, action="submit"),
        follow=True,
    )
    opened = client.get(score_url(meeting), follow=True)

    round_url = reverse("evaluation:round-detail", args=[meeting.round.pk])
    closed_at = at(meeting.round.closed_at)
    assert submitted.redirect_chain == [(round_url, 302)]
    assert [(m.level_tag, m.message) for m in submitted.context["messages"]] == [
        (
            "error",
            f"Đợt đánh giá đã đóng lúc {closed_at}. Những lựa chọn vừa gửi không "
            "được lưu; kết quả đã chốt xem ở trang đợt “Đợt 1 năm 2023 huyện Tam "
            "Đường”.",
        )
    ]
    assert [(m.level_tag, m.message) for m in opened.context["messages"]] == [
        (
            "info",
            f"Đợt đánh giá đã đóng lúc {closed_at}. Phiếu chấm không sửa được nữa.",
        )
    ]
    assert not MemberScore.objects.filter(member=member).exists()


def test_scoring_page_of_another_councils_closed_round_is_still_not_found(
    client, closed
):
    stranger = UserFactory(username="nguoingoai", role=Role.COUNCIL_MEMBER)
    client.force_login(stranger)

    response = client.post(score_url(closed), {"action": "save"}, headers=HTMX)

    assert response.status_code == 404


# -- the sheet changed -----------------------------------------------------------------


def new_version(meeting):
    """Set 26 corrected to a version 2 that passes its checks, and the product's set
    confirmed again: its unscored evaluation moves to the new version."""
    sheet = meeting.evaluation.sheet
    code = sheet_spec(sheet).leaves()[0].code
    admin = UserFactory(username="quantri", role=Role.ADMINISTRATOR)
    corrected = correct_sheet(
        sheet,
        admin,
        "Thêm phương án không đạt.",
        [{"criterion": code, "add_option": {"text": "Không đạt", "points": 0}}],
    )
    product = meeting.dossier.registration.product
    services.confirm_product_set(product, meeting.officer, product.product_set)
    meeting.evaluation.refresh_from_db()
    return sheet, corrected


def test_draft_saved_on_a_sheet_that_changed_says_to_reload(client, meeting):
    member = meeting.scorers()[1]
    old_spec = sheet_spec(meeting.evaluation.sheet)
    old_options = second_options(meeting.evaluation)
    client.force_login(member)
    client.get(score_url(meeting))
    old, corrected = new_version(meeting)

    response = client.post(
        score_url(meeting),
        as_post(old_options[:4], old_spec, action="save", sheet=old.pk),
        headers=HTMX,
    )

    content = response.content.decode()
    assert corrected.is_valid
    assert meeting.evaluation.sheet_id == corrected.pk
    assert response.status_code == 409
    assert (
        "Phiếu chấm của sản phẩm đã đổi (nay là Phiếu bộ 26 (26-2026, phiên bản 2)) "
        "từ khi bạn mở trang: những lựa chọn vừa gửi thuộc phiếu cũ nên không được "
        "lưu. Hãy tải lại trang và chấm trên phiếu mới."
    ) in content
    assert "Tải lại trang" in content
    assert not MemberScore.objects.filter(member=member).exists()


def test_sheet_posted_from_an_older_page_without_its_id_is_refused_as_changed(
    client, meeting
):
    member = meeting.scorers()[1]
    old_spec = sheet_spec(meeting.evaluation.sheet)
    old_options = second_options(meeting.evaluation)
    client.force_login(member)
    new_version(meeting)

    response = client.post(
        score_url(meeting), as_post(old_options, old_spec, action="submit")
    )

    content = response.content.decode()
    assert (
        "Có lựa chọn không thuộc phiếu chấm hiện tại của sản phẩm (phiếu có thể đã "
        "đổi từ khi bạn mở trang): những lựa chọn vừa gửi không được lưu. Hãy tải "
        "lại trang và chấm lại."
    ) in content
    assert checked(content) == []
    assert "Trang đang hiện phiếu chưa chấm: chưa có lựa chọn nào được lưu." in content
    assert not MemberScore.objects.filter(member=member).exists()


# -- refused before the sheet: conflict, session ------------------------------------


def test_draft_saved_after_declaring_a_conflict_in_another_tab_says_why(
    client, meeting
):
    member = meeting.scorers()[1]
    spec = sheet_spec(meeting.evaluation.sheet)
    services.declare_conflict(meeting.council, member, meeting.dossier, "Họ hàng.")
    client.force_login(member)

    response = client.post(
        score_url(meeting),
        as_post(second_options(meeting.evaluation), spec, action="save"),
        headers=HTMX,
    )
    page = client.get(score_url(meeting))

    assert response.status_code == 403
    assert (
        "Bạn đã khai xung đột lợi ích với sản phẩm này: Họ hàng. Phiếu nháp chưa "
        "được lưu."
    ) in response.content.decode()
    assert page.status_code == 403
    assert not MemberScore.objects.filter(member=member).exists()


def test_draft_saved_after_the_session_ended_says_to_sign_in_again(client, meeting):
    response = client.post(score_url(meeting), {"action": "save"}, headers=HTMX)

    content = response.content.decode()
    assert response.status_code == 401
    assert (
        "Phiên đăng nhập đã hết nên phiếu nháp chưa được lưu. Hãy tải lại trang và "
        "đăng nhập lại."
    ) in content
    assert "<html" not in content
