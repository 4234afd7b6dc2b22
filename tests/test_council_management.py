"""Councils are managed on their pages: members removed, roles changed (one chair
always), the founding decision recorded; each change audited and in the council's
history; by province staff, and by a district officer for their own district's
councils under 148/QĐ-TTg. Every forbidden case is tried over HTTP."""

import re

import pytest
from django.urls import reverse

from evaluation import services
from evaluation.enums import CouncilRole, RoundState, TierLevel
from evaluation.models import Council, MemberScore
from ocop.models import AuditEntry
from registry.enums import Role
from tests.evaluation_builders import Meeting, binh_lu_officer
from tests.factories import LAI_CHAU_CITY, TAM_DUONG, UserFactory, district
from tests.test_evaluation_views import second_options

pytestmark = pytest.mark.django_db


NAMES = {
    "chutich": ("Lò Văn", "Chủ"),
    "phochutich": ("Tao Thị", "Phó"),
    "uyvien": ("Vàng A", "Dình"),
    "tuvan": ("Phạm Thị", "Tư"),
}


@pytest.fixture
def meeting(lai_chau):
    """The Tam Đường council of 2023 in session, its members named apart."""
    meeting = Meeting()
    for membership in meeting.council.memberships.select_related("user"):
        user = membership.user
        user.last_name, user.first_name = NAMES[user.username]
        user.save(update_fields=["last_name", "first_name"])
    return meeting


@pytest.fixture
def staff(lai_chau):
    return UserFactory(
        username="canbo.tinh", role=Role.PROVINCE_STAFF, first_name="Tỉnh"
    )


def member(meeting, username):
    return meeting.council.memberships.select_related("user").get(
        user__username=username
    )


def roles(council):
    return sorted(council.memberships.values_list("user__username", "role"))


def council_actions(council):
    return list(
        AuditEntry.objects.filter(
            action__startswith="evaluation.council.", object_id=str(council.pk)
        )
        .order_by("id")
        .values_list("action", "from_state", "to_state")
    )


def history(content):
    """The council page's history, newest first, each line without its time."""
    block = re.search(r'id="council-history">(.*?)</ul>', content, re.S).group(1)
    lines = re.findall(r"<li[^>]*>(.*?)</li>", block, re.S)
    return [
        " ".join(re.sub(r"<[^>]+>", "", line).split()).split(" · ", 1)[1]
        for line in lines
    ]


def role_url(meeting, username):
    return reverse(
        "evaluation:council-member-role",
        args=[meeting.council.pk, member(meeting, username).pk],
    )


def remove_url(meeting, username):
    return reverse(
        "evaluation:council-member-remove",
        args=[meeting.council.pk, member(meeting, username).pk],
    )


BEFORE = [
    ("chutich", CouncilRole.CHAIR),
    ("phochutich", CouncilRole.VICE_CHAIR),
    ("tuvan", CouncilRole.ADVISOR),
    ("uyvien", CouncilRole.MEMBER),
]


# -- removing a member ---------------------------------------------------------------


def test_province_staff_removes_a_member_and_the_history_says_so(
    client, meeting, staff
):
    client.force_login(staff)

    response = client.post(remove_url(meeting, "uyvien"), follow=True)

    content = response.content.decode()
    assert roles(meeting.council) == [
        ("chutich", CouncilRole.CHAIR),
        ("phochutich", CouncilRole.VICE_CHAIR),
        ("tuvan", CouncilRole.ADVISOR),
    ]
    assert council_actions(meeting.council) == [
        ("evaluation.council.member_removed", CouncilRole.MEMBER, "")
    ]
    entry = AuditEntry.objects.get(action="evaluation.council.member_removed")
    assert (entry.actor, entry.data["user_name"], entry.data["drafts_deleted"]) == (
        staff,
        "Vàng A Dình",
        0,
    )
    assert "Đã xoá Vàng A Dình khỏi hội đồng." in content
    assert history(content) == [
        "Nguyễn Tỉnh · Xoá thành viên khỏi hội đồng: Vàng A Dình (Ủy viên)"
    ]


def test_removing_the_chair_needs_a_new_chair(client, meeting, staff):
    client.force_login(staff)
    url = remove_url(meeting, "chutich")

    refused = client.post(url)
    client.post(url, {"new_chair": member(meeting, "phochutich").pk})

    assert refused.status_code == 400
    assert refused.context["memberships"][0].form.errors == {
        "new_chair": [
            "Lò Văn Chủ là Chủ tịch hội đồng: cần chọn người nhận vai trò Chủ tịch "
            "trước khi xoá."
        ]
    }
    assert roles(meeting.council) == [
        ("phochutich", CouncilRole.CHAIR),
        ("tuvan", CouncilRole.ADVISOR),
        ("uyvien", CouncilRole.MEMBER),
    ]
    assert council_actions(meeting.council) == [
        ("evaluation.council.member_removed", CouncilRole.CHAIR, ""),
        ("evaluation.council.role_changed", CouncilRole.VICE_CHAIR, CouncilRole.CHAIR),
    ]


def test_member_who_submitted_in_an_open_round_is_not_removed(client, meeting, staff):
    services.submit_member_score(
        meeting.evaluation,
        member(meeting, "uyvien").user,
        second_options(meeting.evaluation),
    )
    client.force_login(staff)

    response = client.post(remove_url(meeting, "uyvien"))

    assert response.status_code == 400
    row = next(m for m in response.context["memberships"] if m.role == "member")
    assert row.form.non_field_errors() == [
        "Vàng A Dình đã nộp phiếu chấm trong đợt đang mở “Đợt 1 năm 2023 huyện "
        "Tam Đường”: chỉ xoá khỏi hội đồng được sau khi đợt đóng."
    ]
    assert 'class="text-danger small member-error"' in response.content.decode()
    assert roles(meeting.council) == sorted(BEFORE)
    assert council_actions(meeting.council) == []


def test_member_who_submitted_leaves_once_the_round_is_closed(client, meeting, staff):
    for scorer in meeting.scorers():
        services.submit_member_score(
            meeting.evaluation, scorer, second_options(meeting.evaluation)
        )
    services.close_round(meeting.round, meeting.chair)
    client.force_login(staff)

    client.post(remove_url(meeting, "uyvien"))

    meeting.round.refresh_from_db()
    assert meeting.round.state == RoundState.CLOSED
    assert ("uyvien", CouncilRole.MEMBER) not in roles(meeting.council)
    # The closed round's sheets stay as they were.
    assert MemberScore.objects.filter(evaluation=meeting.evaluation).count() == 3


def test_removing_a_member_drops_their_draft_and_computes_the_result_again(
    meeting, staff
):
    chair, vice, other = meeting.scorers()
    selections = second_options(meeting.evaluation)
    services.submit_member_score(meeting.evaluation, chair, selections)
    services.submit_member_score(meeting.evaluation, vice, selections)
    services.save_member_score(meeting.evaluation, other, selections[:5])
    blocked = services.compute_result(meeting.evaluation, chair)

    services.remove_council_member(meeting.council, staff, member(meeting, "uyvien"))

    meeting.evaluation.refresh_from_db()
    assert blocked.blocked_reasons == [
        "Mới có 2 trong 3 thành viên được chấm sản phẩm này nộp phiếu; quy chế cần "
        "ít nhất 3/4 số thành viên đó (3 người) nộp phiếu, kể cả Chủ tịch."
    ]
    assert list(
        MemberScore.objects.filter(evaluation=meeting.evaluation)
        .values_list("member__username", flat=True)
        .order_by("member__username")
    ) == ["chutich", "phochutich"]
    assert meeting.evaluation.blocked_reasons == []
    assert str(meeting.evaluation.score) == "71.00"
    assert (
        AuditEntry.objects.get(action="evaluation.council.member_removed").data[
            "drafts_deleted"
        ]
        == 1
    )


# -- changing a role -----------------------------------------------------------------


def test_district_officer_changes_a_role_in_their_district_council(client, meeting):
    client.force_login(meeting.officer)

    response = client.post(
        role_url(meeting, "uyvien"), {"role": CouncilRole.SECRETARY}, follow=True
    )

    content = response.content.decode()
    assert ("uyvien", CouncilRole.SECRETARY) in roles(meeting.council)
    assert council_actions(meeting.council) == [
        ("evaluation.council.role_changed", CouncilRole.MEMBER, CouncilRole.SECRETARY)
    ]
    assert "Đã đổi vai trò của Vàng A Dình: Ủy viên → Thư ký." in content
    assert history(content) == [
        "Nguyễn Văn · Đổi vai trò trong hội đồng: Vàng A Dình: Ủy viên → Thư ký"
    ]


def test_same_role_again_changes_nothing_and_says_so(client, meeting, staff):
    client.force_login(staff)

    response = client.post(
        role_url(meeting, "uyvien"), {"role": CouncilRole.MEMBER}, follow=True
    )

    assert "Vàng A Dình đã có vai trò Ủy viên: không có gì thay đổi." in (
        response.content.decode()
    )
    assert council_actions(meeting.council) == []


def test_chair_hands_the_chair_over_by_naming_the_new_chair(client, meeting, staff):
    client.force_login(staff)

    client.post(
        role_url(meeting, "chutich"),
        {"role": CouncilRole.MEMBER, "new_chair": member(meeting, "phochutich").pk},
    )

    assert roles(meeting.council) == [
        ("chutich", CouncilRole.MEMBER),
        ("phochutich", CouncilRole.CHAIR),
        ("tuvan", CouncilRole.ADVISOR),
        ("uyvien", CouncilRole.MEMBER),
    ]
    assert council_actions(meeting.council) == [
        ("evaluation.council.role_changed", CouncilRole.CHAIR, CouncilRole.MEMBER),
        ("evaluation.council.role_changed", CouncilRole.VICE_CHAIR, CouncilRole.CHAIR),
    ]


def test_chair_demoted_without_a_new_chair_is_refused_at_the_field(
    client, meeting, staff
):
    client.force_login(staff)

    response = client.post(role_url(meeting, "chutich"), {"role": CouncilRole.MEMBER})

    assert response.status_code == 400
    assert response.context["memberships"][0].form.errors == {
        "new_chair": [
            "Lò Văn Chủ là Chủ tịch hội đồng: cần chọn người nhận vai trò Chủ tịch "
            "trước khi đổi vai trò."
        ]
    }
    assert 'class="invalid-feedback d-block"' in response.content.decode()
    assert roles(meeting.council) == sorted(BEFORE)
    assert council_actions(meeting.council) == []


def test_a_second_chair_is_refused_with_who_chairs(client, meeting, staff):
    client.force_login(staff)

    response = client.post(role_url(meeting, "uyvien"), {"role": CouncilRole.CHAIR})

    row = next(m for m in response.context["memberships"] if m.role == "member")
    assert response.status_code == 400
    assert row.form.errors == {
        "role": [
            "Hội đồng đã có Chủ tịch (Lò Văn Chủ): để giao vai trò Chủ tịch cho "
            "người khác, đổi vai trò của Chủ tịch hiện tại và chọn người nhận."
        ]
    }
    assert roles(meeting.council) == sorted(BEFORE)


def test_member_who_submitted_keeps_a_scoring_role_until_the_round_closes(
    client, meeting, staff
):
    uyvien = member(meeting, "uyvien")
    services.submit_member_score(
        meeting.evaluation, uyvien.user, second_options(meeting.evaluation)
    )
    client.force_login(staff)

    refused = client.post(role_url(meeting, "uyvien"), {"role": CouncilRole.ADVISOR})
    client.post(role_url(meeting, "uyvien"), {"role": CouncilRole.VICE_CHAIR})

    row = next(m for m in refused.context["memberships"] if m.pk == uyvien.pk)
    assert refused.status_code == 400
    assert row.form.errors == {
        "role": [
            "Vàng A Dình đã nộp phiếu chấm trong đợt đang mở “Đợt 1 năm 2023 huyện "
            "Tam Đường”: giữ vai trò chấm điểm cho đến khi đợt đóng."
        ]
    }
    assert ("uyvien", CouncilRole.VICE_CHAIR) in roles(meeting.council)
    assert council_actions(meeting.council) == [
        (
            "evaluation.council.role_changed",
            CouncilRole.MEMBER,
            CouncilRole.VICE_CHAIR,
        )
    ]


def test_a_member_who_joins_the_advisory_team_leaves_no_draft(meeting, staff):
    uyvien = member(meeting, "uyvien")
    services.save_member_score(
        meeting.evaluation, uyvien.user, second_options(meeting.evaluation)[:3]
    )

    services.change_council_role(meeting.council, staff, uyvien, CouncilRole.ADVISOR)

    assert not MemberScore.objects.filter(member=uyvien.user).exists()
    assert ("uyvien", CouncilRole.ADVISOR) in roles(meeting.council)


# -- the founding decision -----------------------------------------------------------


def test_decision_reference_is_recorded_shown_and_audited(client, meeting):
    client.force_login(meeting.officer)
    url = reverse("evaluation:council-decision", args=[meeting.council.pk])
    reference = "Quyết định số 512/QĐ-UBND ngày 20/3/2023 của UBND huyện Tam Đường"

    empty = client.post(url, {"decision_reference": "  "})
    client.post(url, {"decision_reference": reference})
    again = client.post(url, {"decision_reference": reference}, follow=True)

    meeting.council.refresh_from_db()
    content = again.content.decode()
    assert empty.status_code == 400
    assert empty.context["decision_form"].errors == {
        "decision_reference": ["Cần ghi số và ngày của quyết định thành lập hội đồng."]
    }
    assert meeting.council.decision_reference == reference
    assert "Quyết định thành lập giống lần ghi trước: không có gì thay đổi." in content
    assert history(content) == [
        f"Nguyễn Văn · Ghi quyết định thành lập hội đồng: {reference}"
    ]
    assert council_actions(meeting.council) == [
        ("evaluation.council.decision_recorded", "", "")
    ]
    entry = AuditEntry.objects.get(action="evaluation.council.decision_recorded")
    assert entry.data == {"before": "", "after": reference}


# -- who may --------------------------------------------------------------------------


def other_district_officer():
    return UserFactory(
        username="canbo.thanhpho",
        role=Role.DISTRICT_OFFICER,
        district=district(LAI_CHAU_CITY),
    )


FORBIDDEN = {
    "another district's officer": (other_district_officer, 404),
    "the council's chair": (lambda: None, 403),
    "a commune officer": (binh_lu_officer, 404),
}


@pytest.mark.parametrize("who", FORBIDDEN, ids=list(FORBIDDEN))
@pytest.mark.parametrize("action", ["remove", "role", "decision", "add"])
def test_council_changes_are_refused_to_the_wrong_role(client, meeting, who, action):
    make, status = FORBIDDEN[who]
    user = make() or meeting.chair
    newcomer = UserFactory(username="nguoimoi", role=Role.COUNCIL_MEMBER)
    council = meeting.council
    posts = {
        "remove": (remove_url(meeting, "uyvien"), {}),
        "role": (role_url(meeting, "uyvien"), {"role": CouncilRole.SECRETARY}),
        "decision": (
            reverse("evaluation:council-decision", args=[council.pk]),
            {"decision_reference": "Quyết định số 1/QĐ-UBND"},
        ),
        "add": (
            reverse("evaluation:council-add-member", args=[council.pk]),
            {"user": newcomer.pk, "role": CouncilRole.MEMBER},
        ),
    }
    url, data = posts[action]
    client.force_login(user)

    response = client.post(url, data)

    council.refresh_from_db()
    assert response.status_code == status
    assert roles(council) == sorted(BEFORE)
    assert council.decision_reference == ""
    assert council_actions(council) == []


def test_council_page_offers_changes_only_to_who_may_make_them(client, meeting, staff):
    url = reverse("evaluation:council-detail", args=[meeting.council.pk])
    client.force_login(meeting.chair)
    chair_view = client.get(url).content.decode()
    client.force_login(meeting.officer)

    officer_view = client.get(url).content.decode()

    assert "Đổi vai trò, xoá" not in chair_view
    assert 'id="decision-form"' not in chair_view
    assert officer_view.count("Đổi vai trò, xoá") == 4
    assert 'id="decision-form"' in officer_view


def province_council(staff):
    tier = Council.objects.get().tier.rulebook.tiers.get(level=TierLevel.PROVINCE)
    council = services.create_council(
        staff,
        tier=tier,
        province=staff.province,
        district=None,
        year=2023,
        name="Hội đồng OCOP tỉnh Lai Châu năm 2023",
    )
    services.add_council_member(
        council, staff, UserFactory(username="ct.tinh"), CouncilRole.CHAIR
    )
    return council


def test_district_officer_cannot_manage_a_province_council(client, meeting, staff):
    council = province_council(staff)
    chair = council.memberships.get()
    client.force_login(meeting.officer)

    page = client.get(reverse("evaluation:council-detail", args=[council.pk]))
    response = client.post(
        reverse("evaluation:council-member-remove", args=[council.pk, chair.pk])
    )

    assert page.status_code == 404
    assert response.status_code == 404
    assert council.memberships.count() == 1


def test_province_staff_manage_a_province_council(client, meeting, staff):
    council = province_council(staff)
    newcomer = UserFactory(username="uv.tinh", role=Role.COUNCIL_MEMBER)
    client.force_login(staff)

    client.post(
        reverse("evaluation:council-add-member", args=[council.pk]),
        {"user": newcomer.pk, "role": CouncilRole.MEMBER},
    )
    added = council.memberships.get(user=newcomer)
    client.post(
        reverse("evaluation:council-member-role", args=[council.pk, added.pk]),
        {"role": CouncilRole.SECRETARY},
    )

    assert sorted(council.memberships.values_list("user__username", "role")) == [
        ("ct.tinh", CouncilRole.CHAIR),
        ("uv.tinh", CouncilRole.SECRETARY),
    ]


# -- setting up a council ------------------------------------------------------------


def test_district_officer_sets_up_a_council_of_their_district(client, meeting):
    tier = meeting.council.tier
    client.force_login(meeting.officer)

    page = client.get(reverse("evaluation:council-list"))
    response = client.post(
        reverse("evaluation:council-create"),
        {
            "tier": tier.pk,
            "district": district(TAM_DUONG).pk,
            "year": 2023,
            "name": "Hội đồng OCOP huyện Tam Đường (bổ sung) năm 2023",
            "decision_reference": "Quyết định số 640/QĐ-UBND ngày 2/6/2023",
        },
    )

    created = Council.objects.get(name__contains="(bổ sung)")
    form = page.context["form"]
    assert [t.level for t in form.fields["tier"].queryset] == [TierLevel.DISTRICT]
    assert list(form.fields["district"].queryset) == [district(TAM_DUONG)]
    assert response.status_code == 302
    assert (created.tier, created.district, created.decision_reference) == (
        tier,
        district(TAM_DUONG),
        "Quyết định số 640/QĐ-UBND ngày 2/6/2023",
    )
    assert AuditEntry.objects.get(
        action="evaluation.council.created", object_id=str(created.pk)
    ).actor == (meeting.officer)


def test_district_officer_cannot_set_up_another_districts_council(client, meeting):
    client.force_login(meeting.officer)

    response = client.post(
        reverse("evaluation:council-create"),
        {
            "tier": meeting.council.tier.pk,
            "district": district(LAI_CHAU_CITY).pk,
            "year": 2023,
            "name": "Hội đồng OCOP thành phố Lai Châu năm 2023",
        },
    )

    assert response.status_code == 400
    assert response.context["form"].errors == {
        "district": ["Huyện này không có trong danh sách hội đồng bạn được thành lập."]
    }
    assert Council.objects.count() == 1


def test_commune_officer_cannot_set_up_a_council(client, meeting):
    client.force_login(binh_lu_officer())

    response = client.post(
        reverse("evaluation:council-create"),
        {"tier": meeting.council.tier.pk, "year": 2023, "name": "Hội đồng xã"},
    )

    assert response.status_code == 403
    assert Council.objects.count() == 1


# -- the page ------------------------------------------------------------------------


def test_council_page_queries_do_not_grow_with_its_members(
    client, meeting, staff, django_assert_num_queries
):
    url = reverse("evaluation:council-detail", args=[meeting.council.pk])
    client.force_login(staff)
    client.get(url)  # the history's content type is looked up once per process
    with django_assert_num_queries(QUERIES):
        client.get(url)
    for number in range(4):
        user = UserFactory(username=f"them{number}", role=Role.COUNCIL_MEMBER)
        services.add_council_member(meeting.council, staff, user, CouncilRole.MEMBER)

    with django_assert_num_queries(QUERIES):
        response = client.get(url)

    assert len(response.context["memberships"]) == 8
    assert len(response.context["history"]) == 4


# Session, user, council, memberships, history, the chair's successor choices,
# the people who may be added, rounds, conflicts.
QUERIES = 9
