"""A returned dossier, once resubmitted, waits again at the stage that returned it,
and each role returns only the dossiers at its own stage: the commune at the
commune's assessment, the district at its district's council, the province at the
province's council."""

from datetime import date
from io import StringIO
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from evaluation import services
from evaluation.enums import DossierState, TierLevel
from evaluation.models import Dossier
from ocop.models import AuditEntry
from registry.enums import Role
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
    ProgrammeYearFactory,
    account,
    load_sheets,
    prepared_dossier,
    rulebook,
)

TEA = 11
REASON = "Thiếu phiếu kết quả kiểm nghiệm sản phẩm."


@pytest.fixture
def world(lai_chau):
    tea = load_sheets(TEA)[TEA]
    ProgrammeYearFactory(year=2023, rulebook=rulebook("148-2023"))
    ProgrammeYearFactory(year=2026, rulebook=rulebook("26-2026"))
    tam_duong, city = district(TAM_DUONG), district(LAI_CHAU_CITY)
    return SimpleNamespace(
        tea=tea,
        province=account("r.tinh", Role.PROVINCE_STAFF),
        admin=account("r.quantri", Role.ADMINISTRATOR),
        district=account("r.huyen.td", Role.DISTRICT_OFFICER, district=tam_duong),
        other_district=account("r.huyen.tp", Role.DISTRICT_OFFICER, district=city),
        commune=account(
            "r.xa.td", Role.COMMUNE_OFFICER, commune=first_commune(TAM_DUONG)
        ),
        other_commune=account(
            "r.xa.tp", Role.COMMUNE_OFFICER, commune=first_commune(LAI_CHAU_CITY)
        ),
    )


def tea_registration(world, name, year=2023):
    product = ProductFactory(
        producer=ProducerFactory(commune=first_commune(TAM_DUONG)),
        name=name,
        product_set=world.tea,
        is_product_set_confirmed=True,
    )
    extra = {"district": None} if year >= 2026 else {}
    return RegistrationFactory(product=product, year=year, **extra)


def at_district(world, name="Chè Shan tuyết Tả Lèng"):
    """Waiting at Tam Đường's council (148/QĐ-TTg, 2023)."""
    return prepared_dossier(
        tea_registration(world, name), world.district, world.commune
    )


def at_province(world, name="Chè Shan tuyết Pu Sam Cáp"):
    """Waiting at the province's council (26/2026/QĐ-TTg, 2026)."""
    return prepared_dossier(
        tea_registration(world, name, year=2026), world.province, world.commune
    )


def at_commune(world, name="Chè xanh Bản Giang", *, assessed=False):
    registration = tea_registration(world, name)
    dossier = services.create_dossier(registration, world.district)
    services.submit_dossier(dossier, world.district, received_on=date(2023, 4, 3))
    if assessed:
        services.record_commune_assessment(
            dossier,
            world.commune,
            local_origin="Nguyên liệu trồng tại xã.",
            local_labour="Hai mươi lao động địa phương.",
            idea_origin="Nghề truyền thống.",
            local_identity="Chè cổ thụ của bản.",
            assessed_on=date(2023, 4, 12),
        )
    dossier.refresh_from_db()
    return dossier


def stage(dossier):
    dossier = Dossier.objects.select_related("current_tier").get(pk=dossier.pk)
    return dossier.state, dossier.current_tier.level


# -- services ------------------------------------------------------------------------


def test_dossier_returned_at_the_district_waits_there_again_once_resubmitted(world):
    dossier = at_district(world)

    services.return_dossier(dossier, world.district, REASON)
    services.resubmit_dossier(dossier, world.district)

    assert stage(dossier) == (DossierState.WAITING, TierLevel.DISTRICT)
    entry = AuditEntry.objects.filter(action="evaluation.dossier.resubmitted").get()
    assert (entry.from_state, entry.to_state, entry.reason) == (
        DossierState.RETURNED,
        DossierState.WAITING,
        REASON,
    )


def test_dossier_returned_at_the_province_waits_there_again_once_resubmitted(world):
    dossier = at_province(world)

    services.return_dossier(dossier, world.province, REASON)
    services.resubmit_dossier(dossier, world.commune)

    assert stage(dossier) == (DossierState.WAITING, TierLevel.PROVINCE)


@pytest.mark.parametrize(
    ("assessed", "expected"),
    [(False, DossierState.SUBMITTED), (True, DossierState.ASSESSED)],
)
def test_dossier_returned_at_the_commune_goes_back_to_the_commune(
    world, assessed, expected
):
    dossier = at_commune(world, assessed=assessed)

    services.return_dossier(dossier, world.commune, REASON)
    services.resubmit_dossier(dossier, world.district)

    assert stage(dossier) == (expected, TierLevel.COMMUNE)


def test_dossier_returned_after_the_commune_assessment_is_sent_to_the_next_tier(world):
    dossier = at_commune(world, assessed=True)
    services.return_dossier(dossier, world.commune, REASON)
    services.resubmit_dossier(dossier, world.district)

    services.send_up(dossier, world.commune)

    assert stage(dossier) == (DossierState.WAITING, TierLevel.DISTRICT)


def test_send_up_of_a_dossier_past_the_commune_is_refused(world):
    dossier = at_district(world)
    # How an earlier version left a dossier resubmitted after the district returned it.
    Dossier.objects.filter(pk=dossier.pk).update(state=DossierState.ASSESSED)

    with pytest.raises(ValidationError) as error:
        services.send_up(dossier, world.commune)

    assert error.value.messages == [
        "Hồ sơ đang ở Hội đồng đánh giá, phân hạng cấp huyện, không còn ở cấp xã: "
        "chỉ hồ sơ xã đã đánh giá mới gửi lên cấp trên được."
    ]
    assert stage(dossier) == (DossierState.ASSESSED, TierLevel.DISTRICT)


# -- over HTTP -----------------------------------------------------------------------


# Refused as a dossier that has moved on since its page was opened, not as a
# stranger to it: back to its page with what happened.
MOVED_ON = "moved on"


def moved_on(dossier):
    tier = dossier.current_tier.name
    return (
        f"Hồ sơ đã chuyển sang trạng thái “Chờ hội đồng đánh giá” (đang ở {tier}) "
        "nên không trả lại hồ sơ được nữa; hãy xem lại hồ sơ."
    )


def said(client, response):
    page = client.get(response["Location"])
    return [(m.level_tag, str(m.message)) for m in page.context["messages"]]


def post_return(client, user, dossier):
    client.force_login(user)
    return client.post(
        reverse("evaluation:dossier-return", args=[dossier.pk]), {"reason": REASON}
    )


@pytest.mark.parametrize(
    ("where", "who", "status"),
    [
        # The commune's assessment: its commune officer only.
        ("commune", "commune", 302),
        ("commune", "district", 403),
        ("commune", "province", 403),
        ("commune", "admin", 403),
        ("commune", "other_commune", 404),
        # Tam Đường's council: its district officer only; the commune, whose
        # stage the dossier has left, is told it moved on.
        ("district", "district", 302),
        ("district", "commune", MOVED_ON),
        ("district", "province", 403),
        ("district", "other_district", 404),
        # The province's council: the province's staff and administrators.
        ("province", "province", 302),
        ("province", "admin", 302),
        ("province", "commune", MOVED_ON),
        ("province", "other_commune", 404),
    ],
)
def test_return_is_for_the_role_of_the_dossiers_stage(
    client, world, where, who, status
):
    dossier = {"commune": at_commune, "district": at_district, "province": at_province}[
        where
    ](world)
    before = dossier.state

    response = post_return(client, getattr(world, who), dossier)

    dossier.refresh_from_db()
    returned = AuditEntry.objects.filter(action="evaluation.dossier.returned")
    if status == MOVED_ON:
        assert response.status_code == 302
        [(level, message)] = said(client, response)
        # What they typed comes back with the message, not to be typed again.
        assert (level, message.startswith(moved_on(dossier))) == ("warning", True)
        assert f'Lý do:</strong> <span style="white-space: pre-line">{REASON}' in (
            message
        )
    else:
        assert response.status_code == status
    if status == 302:
        assert (dossier.state, dossier.returned_reason) == (
            DossierState.RETURNED,
            REASON,
        )
        assert [e.actor for e in returned] == [getattr(world, who)]
    else:
        assert (dossier.state, dossier.returned_reason) == (before, "")
        assert returned.count() == 0


def test_commune_officer_cannot_take_a_province_dossier_to_the_ministry(client, world):
    dossier = at_province(world)

    refused = post_return(client, world.commune, dossier)
    post_return(client, world.province, dossier)
    client.force_login(world.commune)
    client.post(reverse("evaluation:dossier-resubmit", args=[dossier.pk]))
    send_up = client.post(
        reverse("evaluation:dossier-send-up", args=[dossier.pk]), follow=True
    )

    assert refused.status_code == 302
    assert stage(dossier) == (DossierState.WAITING, TierLevel.PROVINCE)
    assert [str(m) for m in send_up.context["messages"]][-1] == (
        "Hồ sơ đã chuyển sang trạng thái “Chờ hội đồng đánh giá” (đang ở Hội đồng "
        "đánh giá, phân hạng cấp tỉnh) nên không gửi hồ sơ lên cấp trên được nữa; "
        "hãy xem lại hồ sơ."
    )
    assert not AuditEntry.objects.filter(action="evaluation.dossier.sent_up").exclude(
        data__to_tier="Hội đồng đánh giá, phân hạng cấp tỉnh"
    )


def test_dossier_page_offers_the_return_only_to_the_stages_role(client, world):
    dossier = at_district(world)
    url = reverse("evaluation:dossier-detail", args=[dossier.pk])

    client.force_login(world.district)
    district_page = client.get(url).content.decode()
    client.force_login(world.commune)
    commune_page = client.get(url).content.decode()

    assert 'id="return-form"' in district_page
    assert 'id="return-form"' not in commune_page


def test_demo_returned_dossier_waits_again_at_the_district_once_resubmitted(
    lai_chau, client
):
    from django.core.management import call_command

    from evaluation.models import Round
    from registry.models import User

    call_command("setup_demo", stdout=StringIO())
    dossier = Dossier.objects.get(
        registration__product__name="Thịt ngựa sấy Huy Râu", state=DossierState.RETURNED
    )
    second_round = Round.objects.get(
        district__code=LAI_CHAU_CITY, closes_on=date(2023, 10, 30)
    )
    client.force_login(User.objects.get(username="huyen.thanhpho"))

    client.post(reverse("evaluation:dossier-resubmit", args=[dossier.pk]))
    client.post(
        reverse("evaluation:round-add", args=[second_round.pk]),
        {"dossier": [dossier.pk]},
    )

    dossier.refresh_from_db()
    assert (dossier.state, dossier.current_tier.level) == (
        DossierState.IN_EVALUATION,
        TierLevel.DISTRICT,
    )
    assert list(dossier.evaluations.values_list("round_id", flat=True)) == [
        second_round.pk
    ]
    actions = AuditEntry.objects.filter(
        content_type__model="dossier", object_id=str(dossier.pk)
    ).order_by("id")
    assert [(e.action, e.to_state) for e in actions][-3:] == [
        ("evaluation.dossier.returned", DossierState.RETURNED),
        ("evaluation.dossier.resubmitted", DossierState.WAITING),
        ("evaluation.dossier.added_to_round", DossierState.IN_EVALUATION),
    ]
