"""A member's declared conflict of interest: its reason is required and at most
1000 characters, refused at the field of the round page's form; it is read, on the
round's and the council's pages, by the chair, the secretary and those who manage
the council's rounds, and by the other members once the round is closed (the
declarations stand in the minutes they sign); never by the dossier's or the
product's history."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from evaluation import services
from evaluation.enums import CouncilRole
from evaluation.models import ConflictOfInterest
from ocop.models import AuditEntry
from registry.enums import Role
from tests.evaluation_builders import Meeting, binh_lu_officer, council_members
from tests.factories import UserFactory
from tests.test_evaluation_views import second_options

pytestmark = pytest.mark.django_db

REASON = "Anh ruột là chủ nhiệm hợp tác xã."
TOO_LONG = "Lý do chỉ được dài tối đa 1000 ký tự (đang có 1001); hãy ghi ngắn gọn."


@pytest.fixture
def meeting(lai_chau):
    """The usual council with a secretary, who scores and keeps the minutes."""
    secretary = UserFactory(username="thuky", role=Role.COUNCIL_MEMBER)
    return Meeting(members=[*council_members(), (secretary, CouncilRole.SECRETARY)])


def user(meeting, role):
    return meeting.council.memberships.get(role=role).user


def declare_url(meeting):
    return reverse("evaluation:conflict-declare", args=[meeting.evaluation.pk])


def round_page(client, viewer, meeting):
    client.force_login(viewer)
    return client.get(reverse("evaluation:round-detail", args=[meeting.round.pk]))


def row(response, meeting):
    html = response.content.decode()
    return html.split(f'id="evaluation-{meeting.evaluation.pk}"')[1].split("</tr>")[0]


# -- the reason's length --------------------------------------------------------------


def test_declare_conflict_refuses_a_reason_over_1000_characters(meeting):
    member = user(meeting, CouncilRole.MEMBER)

    with pytest.raises(ValidationError) as error:
        services.declare_conflict(meeting.council, member, meeting.dossier, "x" * 1001)

    assert error.value.message_dict == {"reason": [TOO_LONG]}
    assert ConflictOfInterest.objects.count() == 0
    assert not AuditEntry.objects.filter(action="evaluation.conflict.declared").exists()


def test_declare_conflict_takes_a_reason_of_1000_characters(meeting):
    member = user(meeting, CouncilRole.MEMBER)

    conflict = services.declare_conflict(
        meeting.council, member, meeting.dossier, "x" * 1000
    )

    assert (conflict.is_new, len(conflict.reason)) == (True, 1000)


@pytest.mark.parametrize("reason", ["", "   \n ", None])
def test_declare_conflict_refuses_an_empty_reason(meeting, reason):
    member = user(meeting, CouncilRole.MEMBER)

    with pytest.raises(ValidationError) as error:
        services.declare_conflict(meeting.council, member, meeting.dossier, reason)

    assert error.value.message_dict == {"reason": ["Cần ghi lý do xung đột lợi ích."]}
    assert ConflictOfInterest.objects.count() == 0


def test_round_page_form_caps_the_reason_at_1000_characters(client, meeting):
    member = user(meeting, CouncilRole.MEMBER)

    form = row(round_page(client, member, meeting), meeting)

    textarea = re.search(r"<textarea [^>]*>", form).group(0)
    assert 'name="reason"' in textarea
    assert 'maxlength="1000"' in textarea
    assert "required" in textarea
    assert f'id="id_conflict{meeting.evaluation.pk}_reason"' in textarea
    assert (
        f'<label class="form-label small mb-0" for="id_conflict'
        f'{meeting.evaluation.pk}_reason">Lý do xung đột lợi ích</label>'
    ) in form


@pytest.mark.parametrize(
    ("reason", "message"),
    [
        ("Họ hàng. " * 112, "Lý do chỉ được dài tối đa 1000 ký tự (đang có 1007); "
         "hãy ghi ngắn gọn."),
        ("x" * 10_000, "Lý do chỉ được dài tối đa 1000 ký tự (đang có 10000); "
         "hãy ghi ngắn gọn."),
        ("   ", "Cần ghi lý do xung đột lợi ích."),
    ],
)  # fmt: skip
def test_round_page_refuses_the_reason_at_the_field_in_its_row(
    client, meeting, reason, message
):
    member = user(meeting, CouncilRole.MEMBER)
    client.force_login(member)

    response = client.post(declare_url(meeting), {"reason": reason})

    part = row(response, meeting)
    assert response.status_code == 400
    assert re.findall(r'<div class="invalid-feedback d-block">(.*?)</div>', part) == [
        message
    ]
    assert '<details class="conflict-declare text-start" open>' in part
    assert "is-invalid" in re.search(r"<textarea [^>]*>", part).group(0)
    if reason.strip():
        # What was typed comes back, to be shortened.
        assert reason.strip()[:50] in part
    assert ConflictOfInterest.objects.count() == 0
    assert not AuditEntry.objects.filter(action="evaluation.conflict.declared").exists()


def test_round_page_takes_a_reason_within_the_limit(client, meeting):
    member = user(meeting, CouncilRole.MEMBER)
    client.force_login(member)

    response = client.post(declare_url(meeting), {"reason": f"  {REASON}  "})

    assert response.status_code == 302
    conflict = ConflictOfInterest.objects.get()
    assert (conflict.member, conflict.reason) == (member, REASON)


def test_refused_reason_without_a_form_in_the_row_is_said_as_a_message(client, meeting):
    """The member declared already: their row offers no form to show it at."""
    member = user(meeting, CouncilRole.MEMBER)
    services.declare_conflict(meeting.council, member, meeting.dossier, REASON)
    client.force_login(member)

    response = client.post(declare_url(meeting), {"reason": ""}, follow=True)

    assert response.redirect_chain == [
        (reverse("evaluation:round-detail", args=[meeting.round.pk]), 302)
    ]
    assert [(m.level_tag, m.message) for m in response.context["messages"]] == [
        ("error", "Cần ghi lý do xung đột lợi ích.")
    ]
    assert ConflictOfInterest.objects.get().reason == REASON


# -- who reads the reason -------------------------------------------------------------


@pytest.fixture
def declared(meeting):
    """The vice-chair declared a conflict; the round is still open."""
    services.declare_conflict(
        meeting.council, user(meeting, CouncilRole.VICE_CHAIR), meeting.dossier, REASON
    )
    return meeting


def province_staff():
    return UserFactory(username="tinh.ocop", role=Role.PROVINCE_STAFF)


def recused(meeting):
    """The vice-chair's line on the round page, without the reason."""
    vice = user(meeting, CouncilRole.VICE_CHAIR)
    return f"{vice}: đã khai xung đột lợi ích, không chấm sản phẩm này"


def recused_line(response, meeting):
    lines = re.findall(
        r'<div class="member-recused text-muted text-break">(.*?)</div>',
        row(response, meeting),
        re.S,
    )
    assert len(lines) == 1
    return " ".join(re.sub(r"<[^>]+>", " ", lines[0]).split())


@pytest.mark.parametrize(
    "who", ["chair", "secretary", "declarer", "district officer", "province staff"]
)
def test_reason_is_read_on_the_round_page_by_the_chair_secretary_and_staff(
    client, declared, who
):
    meeting = declared
    viewer = {
        "chair": meeting.chair,
        "secretary": user(meeting, CouncilRole.SECRETARY),
        "declarer": user(meeting, CouncilRole.VICE_CHAIR),
        "district officer": meeting.officer,
        "province staff": province_staff(),
    }[who]

    response = round_page(client, viewer, meeting)

    assert response.status_code == 200
    assert recused_line(response, meeting) == f"{recused(meeting)} Lý do: {REASON}"


@pytest.mark.parametrize("role", [CouncilRole.MEMBER, CouncilRole.ADVISOR])
def test_other_members_do_not_read_the_reason_before_the_round_closes(
    client, declared, role
):
    meeting = declared
    viewer = user(meeting, role)

    response = round_page(client, viewer, meeting)

    html = response.content.decode()
    assert recused_line(response, meeting) == recused(meeting)
    # Not in a title either, nor anywhere else on the page.
    assert REASON not in html


def test_other_members_read_the_reason_once_the_round_is_closed(client, declared):
    meeting = declared
    chair, _vice, member, secretary = meeting.scorers()
    for scorer in (chair, member, secretary):
        services.submit_member_score(
            meeting.evaluation, scorer, second_options(meeting.evaluation)
        )
    services.close_round(meeting.round, chair)

    response = round_page(client, member, meeting)

    assert recused_line(response, meeting) == f"{recused(meeting)} Lý do: {REASON}"


def test_no_conflict_is_declared_once_the_round_is_closed(declared):
    meeting = declared
    chair, _vice, member, secretary = meeting.scorers()
    for scorer in (chair, member, secretary):
        services.submit_member_score(
            meeting.evaluation, scorer, second_options(meeting.evaluation)
        )
    services.close_round(meeting.round, chair)

    with pytest.raises(ValidationError) as refused:
        services.declare_conflict(meeting.council, member, meeting.dossier, "Vợ.")

    assert refused.value.messages == [
        "Sản phẩm không ở đợt đánh giá nào đang mở của hội đồng: đợt đã đóng thì "
        "không khai xung đột lợi ích được nữa."
    ]
    assert ConflictOfInterest.objects.filter(member=member).count() == 0


def test_round_page_shows_the_reasons_in_the_same_queries(client, declared):
    """The reasons come with the conflicts the page reads anyway."""
    meeting = declared
    url = reverse("evaluation:round-detail", args=[meeting.round.pk])
    client.force_login(meeting.chair)
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    services.declare_conflict(
        meeting.council, user(meeting, CouncilRole.MEMBER), meeting.dossier, "Vợ."
    )

    with CaptureQueriesContext(connection) as two:
        response = client.get(url)

    assert "Lý do: Vợ." in row(response, meeting)
    assert len(two.captured_queries) == len(one.captured_queries)


# -- the council's page, the dossier's and the product's history ---------------------


def council_conflicts(client, viewer, meeting):
    client.force_login(viewer)
    html = client.get(
        reverse("evaluation:council-detail", args=[meeting.council.pk])
    ).content.decode()
    part = html.split('id="council-conflicts"')[1].split("</ul>")[0]
    return " ".join(re.sub(r"<[^>]+>", " ", part).split())


def test_council_page_shows_the_reason_by_the_same_rule(client, declared):
    meeting = declared
    chair, _vice, member, secretary = meeting.scorers()
    product = meeting.dossier.registration.product.name

    declarer = str(user(meeting, CouncilRole.VICE_CHAIR))
    for viewer in (chair, secretary, meeting.officer):
        assert f"{declarer} · {product}: {REASON}" in (
            council_conflicts(client, viewer, meeting)
        )
    withheld = council_conflicts(client, member, meeting)
    assert product in withheld
    assert REASON not in withheld

    for scorer in (chair, member, secretary):
        services.submit_member_score(
            meeting.evaluation, scorer, second_options(meeting.evaluation)
        )
    services.close_round(meeting.round, chair)

    assert REASON in council_conflicts(client, member, meeting)


def test_dossier_and_product_histories_say_a_conflict_was_declared_not_why(
    client, declared
):
    meeting = declared
    member = user(meeting, CouncilRole.MEMBER)
    product = meeting.dossier.registration.product
    entry = AuditEntry.objects.get(action="evaluation.conflict.declared")

    pages = []
    for viewer in (member, binh_lu_officer(), province_staff()):
        client.force_login(viewer)
        for url in (
            reverse("evaluation:dossier-detail", args=[meeting.dossier.pk]),
            reverse("registry:product-detail", args=[product.pk]),
        ):
            response = client.get(url)
            assert response.status_code == 200
            pages.append(response.content.decode())

    assert (entry.reason, entry.data) == (
        "",
        {"council": meeting.council.pk, "reason": REASON},
    )
    for html in pages:
        assert "Thành viên khai xung đột lợi ích" in html
        assert REASON not in html
