"""Factories and builders for the evaluation workflow.

Rulebooks and sheets are never made up: they come from the shipped rulebooks and the
official criteria file (with the project's known corrections recorded by an
administrator), loaded only for the product sets a test needs.
"""

import factory
from factory.django import DjangoModelFactory

from evaluation.corrections import apply_known_corrections
from evaluation.enums import CouncilRole
from evaluation.models import (
    Council,
    CouncilMembership,
    ProgrammeYear,
    Rulebook,
)
from evaluation.rulebooks import load_rulebooks
from evaluation.scoring import SheetSpec
from evaluation.sheets import load_scoring_sheets
from registry.enums import Role
from registry.models import ProductSet, User
from tests.factories import province


def account(username, role=Role.PROVINCE_STAFF, **fields):
    """A user without a usable password: hashing one takes a good part of a second,
    and these tests never log in."""
    user, _ = User.objects.get_or_create(
        username=username,
        defaults={
            "role": role,
            "province": province(),
            "first_name": "Văn",
            "last_name": "Nguyễn",
            **fields,
        },
    )
    return user


def rulebook(code):
    load_rulebooks()
    return Rulebook.objects.get(code=code)


def tier(code, order):
    return rulebook(code).tiers.get(order=order)


def load_sheets(*numbers):
    """Load the sheets of some product sets and record the known corrections."""
    load_scoring_sheets(numbers=set(numbers))
    admin = account("quantri.test", Role.ADMINISTRATOR)
    sets = {ps.number: ps for ps in ProductSet.objects.filter(number__in=numbers)}
    apply_known_corrections(admin, sets, numbers=set(numbers))
    return sets


class ProgrammeYearFactory(DjangoModelFactory):
    class Meta:
        model = ProgrammeYear
        django_get_or_create = ("province", "year")

    province = factory.LazyFunction(province)
    year = 2023
    rulebook = factory.LazyFunction(lambda: rulebook("148-2023"))


class CouncilFactory(DjangoModelFactory):
    class Meta:
        model = Council

    tier = factory.LazyFunction(lambda: tier("148-2023", 3))
    province = factory.LazyFunction(province)
    district = None
    year = 2023
    name = factory.Sequence(lambda n: f"Hội đồng đánh giá, phân hạng số {n}")


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = CouncilMembership

    council = factory.SubFactory(CouncilFactory)
    user = factory.Sequence(lambda n: account(f"thanhvien{n}", Role.COUNCIL_MEMBER))
    role = CouncilRole.MEMBER


def council_with_members(council_tier, size, *, district=None, prefix="tv"):
    """A council whose first member chairs; returns ``(council, [users])``."""
    council = CouncilFactory(tier=council_tier, district=district)
    users = []
    for position in range(size):
        user = account(f"{prefix}{council.pk}.{position + 1}", Role.COUNCIL_MEMBER)
        MembershipFactory(
            council=council,
            user=user,
            role=CouncilRole.CHAIR if position == 0 else CouncilRole.MEMBER,
        )
        users.append(user)
    return council, users


def selections_for_total(spec: SheetSpec, total, *, level=None):
    """Option ids scoring exactly ``total`` on a sheet, meeting the star minimums up
    to ``level`` (by default the band of ``total``: 90 → 5, 70 → 4, 50 → 3).

    Starts from the best option everywhere and lowers unmarked criteria first, then
    marked ones down to the minimum their level needs.
    """
    if level is None:
        level = 5 if total >= 90 else 4 if total >= 70 else 3 if total >= 50 else 2
    chosen = {}
    for leaf in _scored_leaves(spec):
        chosen[leaf.code] = max(leaf.options, key=lambda o: o.points or 0)
    points = sum(o.points or 0 for o in chosen.values())

    leaves = sorted(
        _scored_leaves(spec), key=lambda c: any(o.min_for_stars for o in c.options)
    )
    for leaf in leaves:
        if points == total:
            break
        needed = [
            o.points or 0
            for o in leaf.options
            if o.min_for_stars and o.min_for_stars <= level
        ]
        floor = max(needed, default=0)
        for option in sorted(leaf.options, key=lambda o: o.points or 0):
            if (option.points or 0) < floor:
                continue
            lower_by = (chosen[leaf.code].points or 0) - (option.points or 0)
            if points - lower_by >= total:
                chosen[leaf.code] = option
                points -= lower_by
                break
    if points != total:
        raise ValueError(f"{total} points cannot be reached this way ({points})")
    return sorted(o.id for o in chosen.values())


def _scored_leaves(spec):
    """Every leaf criterion, only the first case of a choose-one group."""
    skipped = set()
    for group in spec.walk():
        if group.choose_one:
            for case in group.children[1:]:
                skipped.update(c.code for c in _walk(case))
    return [c for c in spec.leaves() if c.code not in skipped]


def _walk(criterion):
    yield criterion
    for child in criterion.children:
        yield from _walk(child)


def drop_minimum(spec: SheetSpec, selections, level):
    """The same total, but one criterion below its ``level``-star minimum.

    Returns ``(selections, criterion code)``: the marked criterion is lowered to the
    next option down and another criterion raised by as much.
    """
    chosen = {spec.owner(i).code: spec.option(i) for i in selections}
    leaves = {leaf.code: leaf for leaf in spec.leaves()}
    for code, option in chosen.items():
        leaf = leaves[code]
        marks = [o.points for o in leaf.options if o.min_for_stars == level]
        if not marks or (option.points or 0) < max(marks):
            continue
        lower = [o for o in leaf.options if (o.points or 0) < max(marks)]
        if not lower:
            continue
        down = max(lower, key=lambda o: o.points or 0)
        delta = (option.points or 0) - (down.points or 0)
        for other_code, other in chosen.items():
            other_leaf = leaves[other_code]
            if other_code == code or any(o.min_for_stars for o in other_leaf.options):
                continue
            up = [
                o
                for o in other_leaf.options
                if (o.points or 0) == (other.points or 0) + delta
            ]
            if up:
                changed = dict(chosen, **{code: down, other_code: up[0]})
                return sorted(o.id for o in changed.values()), code
    raise ValueError(f"no {level}★ minimum can be dropped on this sheet")


def prepared_dossier(
    registration, officer, commune_officer, *, received_on=None, samples=5
):
    """A dossier submitted, assessed by the commune and sent up to the first council,
    with its ``samples`` received (none for a tourism product); an upgrade says
    what changed before it is submitted."""
    from evaluation import services
    from registry.enums import RegistrationKind

    product = registration.product
    if not product.is_product_set_confirmed:
        product.is_product_set_confirmed = True
        product.save(update_fields=["is_product_set_confirmed"])
    dossier = services.create_dossier(registration, officer)
    if registration.kind == RegistrationKind.UPGRADE:
        services.record_changes_since_last(
            dossier, officer, "Bao bì và nhãn mới; thêm hai điểm bán ngoài tỉnh."
        )
    services.submit_dossier(dossier, officer, received_on=received_on)
    services.record_commune_assessment(
        dossier,
        commune_officer,
        local_origin="Nguyên liệu trồng tại xã, trên 80% sản lượng.",
        local_labour="Sử dụng 25 lao động địa phương, phần lớn là phụ nữ.",
        idea_origin="Ý tưởng từ nghề truyền thống của đồng bào Dao.",
        local_identity="Bí quyết chế biến truyền thống của bản.",
    )
    dossier = services.send_up(dossier, commune_officer)
    if samples and not product.product_set.is_tourism:
        services.record_samples(
            dossier, officer, count=samples, received_on=dossier.received_on
        )
    return dossier


def score_by_council(evaluation, members, totals, *, level=None, chair=None):
    """Each member submits a sheet with the given total; the chair pre-checks first."""
    from evaluation import services
    from evaluation.sheets import sheet_spec

    if not evaluation.precheck_at:
        services.record_precheck(
            evaluation, chair or members[0], "Hồ sơ đầy đủ, đã thăm cơ sở sản xuất."
        )
        evaluation.refresh_from_db()
    spec = sheet_spec(evaluation.sheet)
    for member, total in zip(members, totals, strict=True):
        if isinstance(total, list):
            selections = total
        else:
            selections = selections_for_total(spec, total, level=level)
        services.submit_member_score(evaluation, member, selections)
    return evaluation
