"""The evaluation part of the demo: rulebooks, sheets, the 2023 plan's rounds, and a
programme at work.

Lai Châu's 2023 plan follows 148/QĐ-TTg: each district's council meets before 30/6
and before 30/10, the province's in July and in November. The demo councils are the
three demo council accounts, ``hoidong1`` in the chair.

On top of that, ``play_demo_story`` moves a few dossiers through the workflow
services, as the people of the demo accounts would on the pages (so the history and
the audit log are real): Thành phố Lai Châu's first round is scored, closed and
certified; Tam Đường's second round waits for the council's scores; a few dossiers
sit at every other state. It is deterministic (fixed dates, seeded sheets) and does
each part once: a part whose dossiers are no longer fresh drafts is left alone.
"""

import random
from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from registry.classification import load_product_sets
from registry.demo import DEMO_ACCOUNTS
from registry.enums import Role
from registry.models import Product, ProductSet, Registration, User

from . import services
from .corrections import apply_known_corrections
from .enums import (
    SAMPLES_REQUIRED,
    CouncilRole,
    DossierState,
    Outcome,
    RoundState,
    TierLevel,
)
from .models import (
    Certificate,
    Council,
    CouncilMembership,
    CouncilSettings,
    Dossier,
    MemberScore,
    ProgrammeYear,
    Round,
    add_working_days,
)
from .rulebooks import load_rulebooks
from .sheets import cached_sheet_spec, load_scoring_sheets
from .suggest import suggest_product_set

DEMO_YEAR = 2023
DEMO_RULEBOOK = "148-2023"
DEMO_MEMBERS = [
    ("hoidong1", CouncilRole.CHAIR),
    ("hoidong2", CouncilRole.VICE_CHAIR),
    ("hoidong3", CouncilRole.MEMBER),
]
DISTRICT_ROUNDS = [("Đợt 1", date(2023, 6, 30)), ("Đợt 2", date(2023, 10, 30))]
PROVINCE_ROUNDS = [
    ("Đợt tháng 7", date(2023, 7, 31)),
    ("Đợt tháng 11", date(2023, 11, 30)),
]


@transaction.atomic
def setup_demo_evaluation(province, admin_username="quantri"):
    """Load everything the evaluation pages need for the demo; returns a summary."""
    admin = User.objects.get(username=admin_username)
    rulebooks = load_rulebooks()
    sheets = load_scoring_sheets(actor=admin)
    product_sets = {ps.number: ps for ps in ProductSet.objects.all()}
    known = apply_known_corrections(admin, product_sets)

    rulebook = rulebooks[DEMO_RULEBOOK]
    # The province's OCOP office opens its year and the year's dossiers, as on the
    # programme years page; the administrator only when that account is missing.
    office = (
        User.objects.filter(username=DEMO_STAFF, province=province).first() or admin
    )
    programme = ProgrammeYear.objects.filter(province=province, year=DEMO_YEAR).first()
    if programme is None:
        programme = services.open_programme_year(
            office,
            province=province,
            year=DEMO_YEAR,
            rulebook=rulebook,
            plan_reference="Kế hoạch OCOP tỉnh Lai Châu năm 2023",
        )
    CouncilSettings.objects.get_or_create(province=province)

    members = [
        (User.objects.get(username=username), role) for username, role in DEMO_MEMBERS
    ]
    rounds = 0
    for tier in rulebook.tiers.filter(kind="council"):
        if tier.level == TierLevel.DISTRICT:
            for district in province.districts.order_by("code"):
                council = _council(tier, province, district, members)
                rounds += _rounds(council, DISTRICT_ROUNDS, district.short_name)
        else:
            council = _council(tier, province, None, members)
            rounds += _rounds(council, PROVINCE_ROUNDS, "cấp tỉnh")

    proposed = propose_product_sets(province)
    opened = services.open_dossiers(
        programme, office, Registration.objects.filter(province=province)
    )
    story = play_demo_story(province)
    # What the daily task would have done by now: the 2023 certificates ran 36 months.
    expired = services.expire_certificates()
    return {
        "sheets": len(sheets["created"]) + len(sheets["unchanged"]),
        "corrected": len(known.corrected),
        "known_corrections": known,
        "rounds": Round.objects.filter(province=province, year=DEMO_YEAR).count(),
        "new_rounds": rounds,
        "proposed": proposed,
        "dossiers": Dossier.objects.filter(
            programme_year__province=province, programme_year__year=DEMO_YEAR
        ).count(),
        "new_dossiers": len(opened.opened),
        "story": story,
        "expired": expired,
    }


def _council(tier, province, district, members):
    area = district.name if district else province.name
    council, _ = Council.objects.get_or_create(
        tier=tier,
        province=province,
        district=district,
        year=DEMO_YEAR,
        defaults={"name": f"Hội đồng đánh giá, phân hạng sản phẩm OCOP {area}"},
    )
    for user, role in members:
        CouncilMembership.objects.get_or_create(
            council=council, user=user, defaults={"role": role}
        )
    return council


def _rounds(council, plan, area_label):
    created = 0
    for name, closes_on in plan:
        _, is_new = Round.objects.get_or_create(
            tier=council.tier,
            council=council,
            province=council.province,
            district=council.district,
            year=DEMO_YEAR,
            name=f"{name} năm {DEMO_YEAR} – {area_label}",
            defaults={"closes_on": closes_on},
        )
        created += is_new
    return created


def propose_product_sets(province):
    """Give each product without a set the one its name suggests (unconfirmed),
    once: the run that finds no product of the province with a set. A later run
    leaves alone what people did since (a set cleared, a product added)."""
    in_province = Product.objects.filter(producer__province=province)
    if in_province.filter(product_set__isnull=False).exists():
        return 0
    product_sets = {ps.number: ps for ps in ProductSet.objects.all()}
    if len(product_sets) < 26:
        product_sets = {ps.number: ps for ps in load_product_sets()}
    proposed = 0
    products = Product.objects.filter(
        producer__province=province, product_set__isnull=True
    )
    for product in products:
        suggestion = suggest_product_set(product.name)
        if suggestion is None:
            continue
        product.product_set = product_sets[suggestion.number]
        product.is_product_set_confirmed = False
        product.save(update_fields=["product_set", "is_product_set_confirmed"])
        proposed += 1
    return proposed


# -- the story ----------------------------------------------------------------------

DEMO_SEED = "ocop-lai-chau-2023"
DEMO_STAFF = "tinh"


@dataclass(frozen=True)
class Step:
    """One dossier of the story: the producer and product of its registration, the
    day the commune received it, and, in a scored round, the totals of the members
    in ``DEMO_MEMBERS`` order. ``self_total`` is the producer's self-assessment."""

    producer: str
    product: str
    received_on: date | None = None
    totals: tuple = ()
    self_total: int | None = None


# Thành phố Lai Châu, first round (before 30/6/2023): scored, closed and certified.
FIRST_ROUND_DISTRICT = "105"
FIRST_ROUND = (
    Step(
        "Hộ kinh doanh Đỗ Thị Lan",
        "Mật ong tươi Lai Châu",
        date(2023, 4, 3),
        (62, 58, 65),
        66,
    ),
    Step("HTX Vương Hà", "Thịt trâu sấy Huy Râu", date(2023, 4, 3), (77, 73, 80), 82),
    Step(
        "Hộ kinh doanh Nguyễn Thị Dung",
        "Rượu ngô men lá hạ thổ",
        date(2023, 4, 4),
        (55, 52, 58),
        60,
    ),
    Step(
        "Công ty TNHH Năm Mai Vàng",
        "Đông trùng hạ thảo sấy thăng hoa",
        date(2023, 4, 5),
        (83, 79, 86),
        88,
    ),
    Step(
        "Hộ kinh doanh Đông Thị Hoa", "Thịt lợn sấy", date(2023, 4, 6), (66, 63, 60), 68
    ),
    Step("Chi nhánh HTX Đăng Giang", "Rượu chuối", date(2023, 4, 10), (46, 43, 49), 55),
    Step(
        "Công ty TNHH Năm Mai Vàng",
        "Bột đông trùng hạ thảo",
        date(2023, 4, 10),
        (68, 71, 66),
        72,
    ),
)
FIRST_ROUND_VISIT = date(2023, 6, 12)
FIRST_DECISION = ("2150/QĐ-UBND", date(2023, 6, 28))

# The province's July round (before 31/7/2023) scores the two products Thành phố Lai
# Châu sent up: 74, 71, 76 (73.67) is 4 stars, certified by the province; 91, 90, 93
# (91.33) goes on to the Ministry, which records 5 stars in December.
PROVINCE_ROUND = (
    Step("HTX Vương Hà", "Thịt trâu sấy Huy Râu", totals=(74, 71, 76)),
    Step(
        "Công ty TNHH Năm Mai Vàng",
        "Đông trùng hạ thảo sấy thăng hoa",
        totals=(91, 90, 93),
    ),
)
PROVINCE_ROUND_VISIT = date(2023, 7, 17)
PROVINCE_DECISION = ("1187/QĐ-UBND", date(2023, 8, 4))
MINISTRY_RESULT = ("4820/QĐ-BNN-VPĐP", date(2023, 12, 20), 5)

# Tam Đường, second round (before 30/10/2023): pre-checked, waiting for the scores.
OPEN_ROUND_DISTRICT = "106"
OPEN_ROUND = (
    Step("Hộ kinh doanh Giàng Văn Sơn", "Khèn mông A Dơ", date(2023, 8, 7), (), 64),
    Step(
        "HTX sản xuất và thương mại nông nghiệp sạch Ngọc Cường",
        "Miến dong Gia Huy",
        date(2023, 8, 7),
        (),
        71,
    ),
    Step(
        "Công ty cổ phần xuất nhập khẩu trà Sinh An Nam",
        "Đông phương mỹ nhân việt",
        date(2023, 8, 8),
        (),
        78,
    ),
    Step(
        "Hộ kinh doanh Teo Thị Uyên",
        "Thịt trâu gác bếp Lục Lệ",
        date(2023, 8, 9),
        (),
        62,
    ),
    Step("Tổ Hợp Tác Bản Sì Thâu Chải", "Du lịch cộng đồng", date(2023, 8, 10), (), 58),
    Step(
        "Công ty CP đầu tư phát triển Chè Tam Đường",
        "Trà hồng trà",
        date(2023, 8, 14),
        (),
        75,
    ),
)
OPEN_ROUND_VISIT = date(2023, 10, 9)

# Sent up in August, waiting for Thành phố Lai Châu's second round.
WAITING = Step(
    "Hộ kinh doanh Hoàng Văn Cường", "Đông trùng hạ thảo sợi khô", date(2023, 8, 14)
)
# Assessed by the commune, not yet sent up.
ASSESSED = Step(
    "Công ty cổ phần xuất nhập khẩu trà Sinh An Nam",
    "Oolong kim tuyến việt",
    date(2023, 9, 11),
)
# (dossier, the state it is returned from, why)
RETURNED = (
    (
        Step("HTX Vương Hà", "Thịt ngựa sấy Huy Râu", date(2023, 8, 14)),
        DossierState.WAITING,
        "Giấy chứng nhận cơ sở đủ điều kiện an toàn thực phẩm đã hết hạn; thiếu "
        "phiếu kết quả kiểm nghiệm sản phẩm. Đề nghị bổ sung để xét ở đợt 2.",
    ),
    (
        Step(
            "Hộ kinh doanh Teo Thị Uyên", "Lạp sườn hun khói Lục Lệ", date(2023, 9, 18)
        ),
        DossierState.SUBMITTED,
        "Phiếu đăng ký chưa có chữ ký và dấu của chủ thể; thiếu ảnh nhãn, bao bì "
        "sản phẩm.",
    ),
)
# Received in September 2023 and never assessed: long past the 15 working days.
OVERDUE = Step("Hộ kinh doanh Đèo Thị Quyên", "Lạp sườn lợn", date(2023, 9, 4))
# Received on the day the demo is first set up, so that its 15 working days run.
PENDING = Step("HTX Nông nghiệp và dịch vụ Bình Lư", "Miến dong Bình Lư")

ASSESSMENT_DAYS = 8  # working days the demo communes take (of the 15 allowed)

LOCAL_ORIGIN = (
    "Nguyên liệu chính của sản phẩm “{product}” được trồng, nuôi tại {commune}; "
    "chủ thể liên kết thu mua với các hộ trong vùng.",
    "Trên 80% nguyên liệu của “{product}” có nguồn gốc tại địa phương, được kiểm "
    "soát từ vùng nguyên liệu đến khâu chế biến.",
    "Nguyên liệu khai thác tại chỗ, truy xuất được nguồn gốc; chủ thể có sổ ghi "
    "chép nhập nguyên liệu từ các hộ ở {commune}.",
)
LOCAL_LABOUR = (
    "Sử dụng {labour} lao động địa phương, phần lớn là phụ nữ và đồng bào dân tộc "
    "thiểu số.",
    "Chủ thể tạo việc làm thường xuyên cho {labour} lao động tại {commune} và lao "
    "động thời vụ khi vào vụ.",
)
IDEA_ORIGIN = (
    "Ý tưởng xuất phát từ nghề truyền thống của gia đình, được chủ thể cải tiến "
    "về mẫu mã, bao bì.",
    "Sản phẩm phát triển từ tiềm năng nguyên liệu của địa phương, được hỗ trợ qua "
    "Chương trình OCOP.",
    "Ý tưởng của chủ thể sau khi tham gia tập huấn, tham quan mô hình OCOP trong "
    "và ngoài tỉnh.",
)
LOCAL_IDENTITY = (
    "Sản phẩm gắn với bí quyết chế biến truyền thống của đồng bào ở {commune}.",
    "Mang hương vị đặc trưng của vùng cao Lai Châu; được người tiêu dùng trong "
    "tỉnh biết đến.",
)


def play_demo_story(province):
    """Move the story's dossiers through the workflow, each part only once.

    Returns how many dossiers each part moved on this run (0 when it was done before
    or its dossiers were changed by hand).
    """
    people = _demo_people(province)
    moved = {"first_round": 0, "province_round": 0, "open_round": 0, "other": 0}
    if people is None:
        return moved

    first_round = _district_round(province, FIRST_ROUND_DISTRICT, 0)
    steps = _fresh(province, FIRST_ROUND)
    if first_round is not None and steps and _untouched(first_round):
        _play_first_round(first_round, steps, people)
        moved["first_round"] = len(steps)

    province_round = _province_round(province, 0)
    referred = _referred(province, PROVINCE_ROUND)
    if province_round is not None and referred and _untouched(province_round):
        _play_province_round(province_round, referred, people)
        moved["province_round"] = len(referred)

    open_round = _district_round(province, OPEN_ROUND_DISTRICT, 1)
    steps = _fresh(province, OPEN_ROUND)
    if open_round is not None and steps and _untouched(open_round):
        _fill_round(open_round, steps, people, visit=OPEN_ROUND_VISIT)
        moved["open_round"] = len(steps)

    for steps, play in [
        (_fresh(province, [WAITING]), _play_waiting),
        (_fresh(province, [ASSESSED]), _play_assessed),
        (_fresh(province, [OVERDUE]), _play_awaiting_commune),
        (_fresh(province, [PENDING]), _play_awaiting_commune),
    ]:
        for step, registration in steps or ():
            play(step, registration, people)
            moved["other"] += 1
    for returned, from_state, reason in RETURNED:
        for step, registration in _fresh(province, [returned]) or ():
            _play_returned(step, registration, people, from_state, reason)
            moved["other"] += 1
    return moved


@dataclass
class Cast:
    """The demo accounts who act in the story."""

    members: list  # in DEMO_MEMBERS order, the chair first
    staff: User  # the province's OCOP staff
    districts: dict  # district id → its demo officer
    communes: dict  # commune id → its demo officer

    @property
    def chair(self):
        return self.members[0]

    def district_officer(self, registration):
        """Who acts for the district: its demo officer, else the province's staff."""
        return self.districts.get(registration.district_id, self.staff)

    def commune_officer(self, registration):
        """Who assesses for the commune: its demo officer, else the province's
        staff (who may too)."""
        return self.communes.get(registration.commune_id, self.staff)


def _demo_people(province):
    """The demo accounts of the story (only those: never a real user), or None if
    one it needs is missing."""
    names = [name for name, *_rest in DEMO_ACCOUNTS]
    users = {
        u.username: u
        for u in User.objects.filter(username__in=names, province=province)
    }
    needed = [name for name, _role in DEMO_MEMBERS] + [DEMO_STAFF]
    if any(name not in users for name in needed):
        return None
    accounts = sorted(users.values(), key=lambda u: u.username, reverse=True)
    return Cast(
        members=[users[name] for name, _role in DEMO_MEMBERS],
        staff=users[DEMO_STAFF],
        districts={
            u.district_id: u
            for u in accounts
            if u.role == Role.DISTRICT_OFFICER and u.district_id
        },
        communes={
            u.commune_id: u
            for u in accounts
            if u.role == Role.COMMUNE_OFFICER and u.commune_id
        },
    )


def _district_round(province, district_code, index):
    return Round.objects.filter(
        province=province,
        district__code=district_code,
        year=DEMO_YEAR,
        closes_on=DISTRICT_ROUNDS[index][1],
    ).first()


def _province_round(province, index):
    return Round.objects.filter(
        province=province,
        district__isnull=True,
        year=DEMO_YEAR,
        closes_on=PROVINCE_ROUNDS[index][1],
    ).first()


def _referred(province, steps):
    """The steps with their registrations, if every one's dossier waits, referred,
    for the province's council; otherwise None."""
    found = []
    for step in steps:
        registration = (
            Registration.objects.filter(
                province=province,
                year=DEMO_YEAR,
                product__name=step.product,
                product__producer__name=step.producer,
            )
            .select_related("dossier__current_tier")
            .first()
        )
        dossier = getattr(registration, "dossier", None) if registration else None
        if (
            dossier is None
            or dossier.state != DossierState.WAITING
            or dossier.current_tier is None
            or dossier.current_tier.level != TierLevel.PROVINCE
        ):
            return None
        found.append((step, registration))
    return found


def _untouched(round):
    return round.state == RoundState.OPEN and not round.evaluations.exists()


def _fresh(province, steps):
    """The steps with their registrations, if every one's dossier is a fresh draft
    (never submitted); otherwise None, and the part is left as it is."""
    found = []
    for step in steps:
        registration = (
            Registration.objects.filter(
                province=province,
                year=DEMO_YEAR,
                product__name=step.product,
                product__producer__name=step.producer,
            )
            .select_related("product__product_set", "product__producer", "commune")
            .first()
        )
        dossier = getattr(registration, "dossier", None) if registration else None
        if (
            dossier is None
            or dossier.state != DossierState.DRAFT
            or dossier.submitted_at is not None
            or registration.product.product_set is None
        ):
            return None
        found.append((step, registration))
    return found


def _rng(step, who):
    return random.Random(f"{DEMO_SEED}:{step.producer}:{step.product}:{who}")


def _to_commune(step, registration, people, received_on=None):
    """The district officer confirms the product set, enters the producer's
    self-assessment and submits the dossier to the commune."""
    officer = people.district_officer(registration)
    product = registration.product
    services.confirm_product_set(product, officer, product.product_set)
    dossier = Dossier.objects.get(registration=registration)
    if step.self_total is not None:
        spec = cached_sheet_spec(dossier.sheet)
        selections = sheet_selections(
            spec, step.self_total, rng=_rng(step, "self-assessment")
        )
        services.save_self_assessment(dossier, officer, selections)
    return services.submit_dossier(
        dossier, officer, received_on=received_on or step.received_on
    )


def _assess(step, registration, dossier, people, index=0):
    """The commune's four assessments, eight working days after receiving it."""
    assessor = people.commune_officer(registration)
    commune = _lower_first((registration.commune or registration.district).name)
    assessed_on = add_working_days(step.received_on, ASSESSMENT_DAYS)
    values = {
        "product": registration.product.name,
        "commune": commune,
        "labour": 6 + 3 * (index % 5),
    }
    services.record_commune_assessment(
        dossier,
        assessor,
        local_origin=LOCAL_ORIGIN[index % len(LOCAL_ORIGIN)].format(**values),
        local_labour=LOCAL_LABOUR[index % len(LOCAL_LABOUR)].format(**values),
        idea_origin=IDEA_ORIGIN[index % len(IDEA_ORIGIN)].format(**values),
        local_identity=LOCAL_IDENTITY[index % len(LOCAL_IDENTITY)].format(**values),
        assessed_on=assessed_on,
        proposal_reference=(
            f"Tờ trình số {10 + index:02d}/TTr-UBND ngày {assessed_on:%d/%m/%Y} "
            f"của UBND {commune}"
        ),
    )
    return assessor, assessed_on


def _lower_first(name):
    return name[:1].lower() + name[1:] if name else ""


def _sent_up(step, registration, people, index=0):
    """Submitted, assessed by the commune and sent up to the district's council;
    the product samples (none for tourism) came with it."""
    dossier = _to_commune(step, registration, people)
    assessor, assessed_on = _assess(step, registration, dossier, people, index)
    dossier = services.send_up(dossier, assessor)
    # The council scores on the samples: add_to_round refuses a dossier without
    # them, except a tourism product's.
    if not registration.product.product_set.is_tourism:
        services.record_samples(
            dossier,
            people.district_officer(registration),
            count=SAMPLES_REQUIRED,
            received_on=assessed_on,
        )
    return dossier


def _fill_round(round, steps, people, *, visit):
    """Put the dossiers in the round, each pre-checked by the chair, and have each
    member submit the totals of its step (none: left for the members to score)."""
    for index, (step, registration) in enumerate(steps):
        dossier = _sent_up(step, registration, people, index)
        officer = people.district_officer(registration)
        evaluation = services.add_to_round(round, dossier, officer)
        services.record_precheck(
            evaluation, people.chair, _precheck_report(registration, visit, index)
        )
        if not step.totals:
            continue
        spec = cached_sheet_spec(evaluation.sheet)
        for member, total in zip(people.members, step.totals, strict=True):
            selections = sheet_selections(spec, total, rng=_rng(step, member.username))
            services.submit_member_score(evaluation, member, selections)


def _precheck_report(registration, visit, index):
    visited = add_working_days(visit, index // 2)
    producer = registration.product.producer.name
    if registration.product.product_set.is_tourism:
        seen = "đã khảo sát thực tế điểm du lịch và các dịch vụ"
    else:
        seen = f"đã nhận {SAMPLES_REQUIRED} mẫu sản phẩm, đúng với hồ sơ"
    return (
        f"Tổ giúp việc đã kiểm tra hồ sơ và khảo sát cơ sở của {producer} ngày "
        f"{visited:%d/%m/%Y}: hồ sơ đủ thành phần theo quy định, {seen}. Đề nghị "
        "Hội đồng đánh giá, chấm điểm."
    )


def _play_first_round(round, steps, people):
    """Scored by the three members, closed by the chair; 70 points and more go to
    the province, the 3-star products get the district's certificates."""
    _fill_round(round, steps, people, visit=FIRST_ROUND_VISIT)
    officer = people.district_officer(steps[0][1])
    services.close_round(round, people.chair)
    services.refer_round(round, officer)
    number, day = FIRST_DECISION
    certificates = services.certify(
        round, officer, decision_number=number, decision_date=day
    )
    if certificates:
        _queue_documents(round, officer, people.staff, len(certificates))


def _play_province_round(round, referred, people):
    """The province's staff put the referred dossiers in the round; the chair
    pre-checks them, the three members score, the chair closes; the staff refer
    the 90 and over to the Ministry and issue the province's 4-star certificates;
    the Ministry's 5 stars are recorded by hand when its decision comes."""
    staff = people.staff
    for index, (step, registration) in enumerate(referred):
        evaluation = services.add_to_round(round, registration.dossier, staff)
        services.record_precheck(
            evaluation,
            people.chair,
            _precheck_report(registration, PROVINCE_ROUND_VISIT, index),
        )
        spec = cached_sheet_spec(evaluation.sheet)
        for member, total in zip(people.members, step.totals, strict=True):
            selections = sheet_selections(
                spec, total, rng=_rng(step, f"province:{member.username}")
            )
            services.submit_member_score(evaluation, member, selections)
    services.close_round(round, people.chair)
    services.refer_round(round, staff)
    number, day = PROVINCE_DECISION
    certificates = services.certify(
        round, staff, decision_number=number, decision_date=day
    )
    if certificates:
        _queue_documents(round, staff, staff, len(certificates), number=number)
    number, day, stars = MINISTRY_RESULT
    for _step, registration in referred:
        dossier = Dossier.objects.get(pk=registration.dossier.pk)
        if dossier.state == DossierState.WAITING and dossier.current_tier.is_recorded:
            services.record_ministry_result(
                dossier, staff, stars=stars, decision_number=number, decision_date=day
            )


def _queue_documents(round, officer, staff, count, number=FIRST_DECISION[0]):
    """The certificates and the decision, as the officer who certified asks for
    them on the documents page, and the round's score summary, as the province's
    staff do. They are made once the demo is saved (in the background with a
    broker)."""
    from ocop.forms import JOB_DECISION, JOB_DECISION_CERTIFICATES, JOB_ROUND_SUMMARY
    from ocop.jobs import start_job

    from . import tasks

    params = {
        "decision_number": number,
        "province_id": officer.province_id,
        "district_id": officer.district_id,
    }
    if officer.district_id is None:
        del params["district_id"]
    start_job(
        tasks.render_decision_certificates,
        kind=f"documents.{JOB_DECISION_CERTIFICATES}",
        title=_("Giấy chứng nhận theo Quyết định %(number)s") % {"number": number},
        params=params,
        user=officer,
        total=count,
    )
    start_job(
        tasks.render_decision,
        kind=f"documents.{JOB_DECISION}",
        title=_("Quyết định %(number)s và phụ lục") % {"number": number},
        params=params,
        user=officer,
        total=2,
    )
    start_job(
        tasks.render_round_summary,
        kind=f"documents.{JOB_ROUND_SUMMARY}",
        title=_("Tổng hợp điểm: %(round)s") % {"round": round.name},
        params={"round_id": round.pk},
        user=staff,
        total=1,
    )


def _play_waiting(step, registration, people):
    _sent_up(step, registration, people)


def _play_assessed(step, registration, people):
    dossier = _to_commune(step, registration, people)
    _assess(step, registration, dossier, people)


def _play_awaiting_commune(step, registration, people):
    _to_commune(
        step, registration, people, received_on=step.received_on or timezone.localdate()
    )


def _play_returned(step, registration, people, from_state, reason):
    """Returned by the stage it is at: the district's council, or the commune."""
    if from_state == DossierState.WAITING:
        dossier = _sent_up(step, registration, people)
        returner = people.district_officer(registration)
    else:
        dossier = _to_commune(step, registration, people)
        returner = people.commune_officer(registration)
    services.return_dossier(dossier, returner, reason)


def sheet_selections(spec, total, *, rng, level=None):
    """Option ids scoring exactly ``total`` on a sheet and meeting every star
    minimum up to ``level`` (by default the band of ``total``: 70 → 4, 50 → 3).

    Each criterion starts at the least its level needs; criteria drawn at random
    are then raised until the total is reached. Only the first case of a
    choose-one group is scored.
    """
    if level is None:
        level = 5 if total >= 90 else 4 if total >= 70 else 3 if total >= 50 else 2
    leaves = _scored_leaves(spec)
    chosen = []
    for leaf in leaves:
        floor = max(
            (
                o.points or 0
                for o in leaf.options
                if o.min_for_stars and o.min_for_stars <= level
            ),
            default=0,
        )
        options = sorted(leaf.options, key=lambda o: o.points or 0)
        chosen.append(next(o for o in options if (o.points or 0) >= floor))
    remaining = total - sum(o.points or 0 for o in chosen)
    while remaining > 0:
        raises = [
            (index, option)
            for index, leaf in enumerate(leaves)
            for option in leaf.options
            if 0 < (option.points or 0) - (chosen[index].points or 0) <= remaining
        ]
        if not raises:
            break
        index, option = rng.choice(raises)
        remaining -= (option.points or 0) - (chosen[index].points or 0)
        chosen[index] = option
    if remaining != 0:
        raise ValueError(f"{total} điểm không đạt được trên phiếu này ({remaining}).")
    return sorted(option.id for option in chosen)


def _scored_leaves(spec):
    skipped = set()
    for group in spec.walk():
        if group.choose_one:
            for case in group.children[1:]:
                skipped.update(_descendants(case))
    return [leaf for leaf in spec.leaves() if leaf.id not in skipped]


def _descendants(criterion):
    ids = {criterion.id}
    for child in criterion.children:
        ids |= _descendants(child)
    return ids


# -- what is ready, for whom ----------------------------------------------------------


def demo_guide(province):
    """What each demo account finds ready, as ``(accounts, text)`` pairs.

    Read from the database, so a second run prints the same.
    """
    people = _demo_people(province)
    if people is None:
        return []
    guide = []
    members = people.members
    open_round = _district_round(province, OPEN_ROUND_DISTRICT, 1)
    if open_round is not None and open_round.state == RoundState.OPEN:
        waiting = {member.username: _to_score(open_round, member) for member in members}
        for count in sorted(set(waiting.values()), reverse=True):
            if not count:
                continue
            names = [name for name, n in waiting.items() if n == count]
            guide.append(
                (
                    names,
                    f"{count} sản phẩm chờ chấm ở đợt “{open_round.name}” (Đánh giá "
                    f"→ Đợt đánh giá và chấm điểm); {members[0].username} là Chủ tịch: "
                    "xem phiếu của mọi người, hiệu chỉnh và đóng đợt khi cả ba đã "
                    "chấm.",
                )
            )
    dossiers = Dossier.objects.filter(programme_year__province=province)
    for district_id, officer in sorted(
        people.districts.items(), key=lambda item: item[1].username
    ):
        parts = [
            _closed_round_text(r)
            for r in Round.objects.filter(
                district_id=district_id, state=RoundState.CLOSED
            ).order_by("closes_on")
        ]
        parts += [
            f"đợt “{r.name}” đang chấm {r.evaluations.count()} sản phẩm"
            for r in Round.objects.filter(
                district_id=district_id, state=RoundState.OPEN
            )
            .filter(evaluations__isnull=False)
            .distinct()
            .order_by("closes_on")
        ]
        own = dossiers.filter(registration__district_id=district_id)
        parts += _state_texts(
            [
                (
                    own.filter(
                        state=DossierState.WAITING,
                        current_tier__level=TierLevel.DISTRICT,
                    ),
                    "hồ sơ chờ đưa vào đợt 2",
                ),
                (own.filter(state=DossierState.RETURNED), "hồ sơ trả lại để bổ sung"),
            ]
        )
        if parts:
            guide.append(([officer.username], "; ".join(parts) + "."))
    for commune_id, officer in sorted(
        people.communes.items(), key=lambda item: item[1].username
    ):
        pending = dossiers.filter(
            registration__commune_id=commune_id, state=DossierState.SUBMITTED
        ).order_by("received_on")
        if pending:
            due = ", ".join(
                f"{d.assessment_due_on:%d/%m/%Y}" for d in pending if d.received_on
            )
            guide.append(
                (
                    [officer.username],
                    f"{len(pending)} hồ sơ chờ xã đánh giá (hạn {due}): ghi bốn nội "
                    "dung đánh giá rồi gửi lên huyện.",
                )
            )
    today = timezone.localdate()
    submitted = list(dossiers.filter(state=DossierState.SUBMITTED))
    overdue = sum(1 for d in submitted if d.is_assessment_overdue(today))
    parts = [
        _closed_round_text(r)
        for r in Round.objects.filter(
            province=province, district__isnull=True, state=RoundState.CLOSED
        ).order_by("closes_on")
    ]
    ministry = Certificate.objects.filter(
        registration__province=province,
        evaluation__isnull=True,
        ministry_result__isnull=False,
    )
    parts += [
        f"{c.product_name}: Bộ công nhận {c.stars} sao theo Quyết định "
        f"{c.decision_number} ngày {c.decision_date:%d/%m/%Y} (ghi tay trên trang "
        "hồ sơ)"
        for c in ministry
    ]
    parts += _state_texts(
        [
            (
                dossiers.filter(
                    state=DossierState.WAITING, current_tier__level=TierLevel.PROVINCE
                ),
                "sản phẩm huyện chuyển lên chờ đưa vào đợt của hội đồng tỉnh",
            ),
            (dossiers.filter(state=DossierState.ASSESSED), "hồ sơ xã đã đánh giá"),
        ]
    )
    if submitted:
        parts.append(
            f"{len(submitted)} hồ sơ chờ xã đánh giá, {overdue} quá hạn 15 ngày "
            "làm việc"
        )
    certificates = Certificate.objects.filter(registration__province=province)
    if certificates.exists():
        parts.append(
            f"{certificates.count()} giấy chứng nhận; trang Tài liệu có giấy chứng "
            "nhận, quyết định và bảng tổng hợp điểm"
        )
    if parts:
        guide.append(([people.staff.username], "; ".join(parts) + "."))
    return guide


def _to_score(round, member):
    """How many of the round's products ``member`` may score and has not yet."""
    done = set(
        MemberScore.objects.filter(
            evaluation__round=round, member=member, submitted_at__isnull=False
        ).values_list("evaluation_id", flat=True)
    )
    evaluations = round.evaluations.select_related("round__council", "sheet")
    return sum(
        1
        for evaluation in evaluations
        if evaluation.pk not in done and services.can_score(evaluation, member)[0]
    )


def _closed_round_text(round):
    evaluations = round.evaluations.all()
    certificates = Certificate.objects.filter(evaluation__round=round)
    text = f"đợt “{round.name}” đã đóng"
    decisions = sorted(
        {(c.decision_number, c.decision_date) for c in certificates},
        key=lambda d: d[1],
    )
    if certificates:
        stars = sorted({c.stars for c in certificates})
        text += (
            f": {len(certificates)} giấy chứng nhận "
            f"{', '.join(str(s) for s in stars)} sao theo Quyết định "
            + ", ".join(f"{n} ngày {d:%d/%m/%Y}" for n, d in decisions)
        )
    referred = evaluations.filter(referred_at__isnull=False).count()
    ended = evaluations.filter(outcome=Outcome.ENDED).count()
    if referred:
        minimum = f"{round.tier.refers_from.normalize():f}"
        text += f", {referred} sản phẩm từ {minimum} điểm chuyển lên cấp trên"
    if ended:
        text += f", {ended} sản phẩm không đạt"
    return text


def _state_texts(queries):
    texts = []
    for queryset, label in queries:
        count = queryset.count()
        if count:
            texts.append(f"{count} {label}")
    return texts
