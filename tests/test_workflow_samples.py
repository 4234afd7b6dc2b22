"""A council scores a product on its samples: a dossier goes into a round only once
its 5 samples are received, except for a tourism product."""

from collections import Counter
from datetime import date
from io import StringIO
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse

from evaluation import services
from evaluation.enums import DossierState
from evaluation.models import Dossier, Evaluation
from registry.enums import Role
from registry.models import ProductSet
from tests.evaluation_builders import TOURISM_SET, waiting_dossier
from tests.factories import (
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
    council_with_members,
    load_sheets,
    prepared_dossier,
    rulebook,
)

TEA = 11


@pytest.fixture
def world(lai_chau):
    sets = load_sheets(TEA, TOURISM_SET)
    book = rulebook("148-2023")
    ProgrammeYearFactory(year=2023, rulebook=book)
    tier = book.tiers.get(order=2)
    tam_duong = district(TAM_DUONG)
    officer = account("m.huyen.td", Role.DISTRICT_OFFICER, district=tam_duong)
    council, _members = council_with_members(tier, 3, district=tam_duong, prefix="m")
    round = services.open_round(
        tier,
        officer,
        council=council,
        year=2023,
        name="Đợt 1 năm 2023 huyện Tam Đường",
        closes_on=date(2023, 6, 30),
        district=tam_duong,
    )
    return SimpleNamespace(
        tea=sets[TEA],
        officer=officer,
        commune_officer=account(
            "m.xa.td", Role.COMMUNE_OFFICER, commune=first_commune(TAM_DUONG)
        ),
        round=round,
    )


def tea_dossier(world, name, *, samples):
    product = ProductFactory(
        producer=ProducerFactory(commune=first_commune(TAM_DUONG)),
        name=name,
        product_set=world.tea,
        is_product_set_confirmed=True,
    )
    return prepared_dossier(
        RegistrationFactory(product=product),
        world.officer,
        world.commune_officer,
        samples=samples,
    )


@pytest.mark.parametrize("samples", [0, 4])
def test_add_to_round_without_the_five_samples_is_refused(world, samples):
    dossier = tea_dossier(world, "Chè Shan tuyết Tả Lèng", samples=samples)

    with pytest.raises(ValidationError) as error:
        services.add_to_round(world.round, dossier, world.officer)

    assert error.value.message_dict == {
        "samples_received": [
            f"Chưa nhận đủ 5 mẫu sản phẩm “Chè Shan tuyết Tả Lèng” (mới ghi nhận "
            f"{samples} mẫu): cần ghi nhận mẫu trên trang hồ sơ trước khi đưa vào "
            "đợt đánh giá."
        ]
    }
    dossier.refresh_from_db()
    assert dossier.state == DossierState.WAITING
    assert not Evaluation.objects.filter(dossier=dossier).exists()


def test_add_to_round_with_the_five_samples_puts_the_dossier_in(world):
    dossier = tea_dossier(world, "Chè xanh Bản Giang", samples=5)

    evaluation = services.add_to_round(world.round, dossier, world.officer)

    dossier.refresh_from_db()
    assert (evaluation.round, dossier.state) == (
        world.round,
        DossierState.IN_EVALUATION,
    )


def test_tourism_product_goes_into_a_round_without_samples(world):
    dossier = waiting_dossier(world.officer)

    evaluation = services.add_to_round(world.round, dossier, world.officer)

    assert ProductSet.objects.get(number=TOURISM_SET).is_tourism is True
    assert dossier.samples_received == 0
    assert evaluation.dossier == dossier


def test_round_page_refuses_the_dossiers_when_one_lacks_its_samples(client, world):
    ready = tea_dossier(world, "Chè xanh Bản Giang", samples=5)
    lacking = tea_dossier(world, "Chè búp Hồ Thầu", samples=0)
    client.force_login(world.officer)

    response = client.post(
        reverse("evaluation:round-add", args=[world.round.pk]),
        {"dossier": [ready.pk, lacking.pk]},
        follow=True,
    )

    assert [str(m) for m in response.context["messages"]] == [
        "Chưa nhận đủ 5 mẫu sản phẩm “Chè búp Hồ Thầu” (mới ghi nhận 0 mẫu): cần ghi "
        "nhận mẫu trên trang hồ sơ trước khi đưa vào đợt đánh giá."
    ]
    # All or none: the ready one waits too.
    assert list(
        Dossier.objects.filter(pk__in=[ready.pk, lacking.pk]).values_list(
            "state", flat=True
        )
    ) == [DossierState.WAITING, DossierState.WAITING]
    assert world.round.evaluations.count() == 0


def test_demo_puts_only_dossiers_with_their_samples_into_rounds(lai_chau):
    call_command("setup_demo", stdout=StringIO())

    # Each dossier once, those scored at the district and again at the province too.
    scored = (
        Dossier.objects.filter(evaluations__isnull=False)
        .distinct()
        .select_related("registration__product__product_set")
    )

    assert Counter(
        (d.registration.product.product_set.is_tourism, d.samples_received)
        for d in scored
    ) == {(False, 5): 12, (True, 0): 1}
