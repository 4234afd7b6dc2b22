"""The rules that turn council members' sheets into a score, stars and an outcome.

Nothing here touches the database: sheets, tiers and settings come in as plain data
(``SheetSpec``, ``TierSpec``), so that every rule can be read and tested on its own.

The rules, as this software reads Decisions 148/QĐ-TTg and 26/2026/QĐ-TTg:

- A member ticks one option per criterion; the points add up by part (A, B, C).
  In a group marked "choose one" only the case the member scored counts.
- The council's score is the mean of its members' totals, rounded half up to two
  decimals. The star band is the highest whose minimum the score reaches
  (90: 5★, 70: 4★, 50: 3★, 30: 2★, otherwise 1★).
- Some options are the minimum for a star level. Minimums are cumulative: a 4★
  product must meet the 3★ and 4★ minimums. A product that misses a minimum falls
  to the highest level whose minimums it meets. The council meets a minimum when the
  mean of its members' points on that criterion reaches the marked option's points.
- A criterion with a knock-out note ("Bị loại nếu ...") disqualifies the product when
  more than half of the members who scored mark it.
- The province's council rules block a result when the members' totals spread more
  than the allowed points (10 by default) or fewer than the quorum took part (three
  quarters of the members who may score the product, rounded up: 3 of 3 or of 4, 4
  of 5; the chair among them). Members who declared a conflict on the product are
  not counted, and a chair who did is not required.
- A result refers the product to the next tier when the score reaches the tier's
  referral score and its stars reach what the next tier certifies; otherwise the
  tier of the rulebook that certifies those stars certifies it (it may be a lower
  tier: a product referred up that scores lower there goes back to the stars the
  lower tier certifies); below every certified level the evaluation ends.
"""

import math
from collections import Counter
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from django.utils.translation import gettext as _

TWO_PLACES = Decimal("0.01")
PARTS = ("A", "B", "C")


@dataclass(frozen=True)
class OptionSpec:
    id: int
    points: int | None
    min_for_stars: int | None = None
    text: str = ""


@dataclass(frozen=True)
class CriterionSpec:
    id: int
    code: str
    part: str
    max_points: int | None
    options: tuple = ()
    children: tuple = ()
    choose_one: bool = False
    knock_out: str = ""

    @property
    def is_leaf(self):
        return not self.children

    def best_points(self):
        """The most this criterion can score: its best option, or its children's."""
        if self.is_leaf:
            return max((o.points or 0 for o in self.options), default=0)
        bests = [child.best_points() for child in self.children]
        return max(bests) if self.choose_one else sum(bests)


@dataclass
class SheetSpec:
    """A scoring sheet as plain data: its top-level criterion groups."""

    criteria: tuple
    _options: dict = field(default=None, init=False, repr=False)
    _owners: dict = field(default=None, init=False, repr=False)

    def walk(self):
        """Every criterion, depth first, in printed order."""
        stack = list(reversed(self.criteria))
        while stack:
            criterion = stack.pop()
            yield criterion
            stack.extend(reversed(criterion.children))

    def leaves(self):
        return [c for c in self.walk() if c.is_leaf]

    def option(self, option_id):
        self._index()
        return self._options.get(option_id)

    def owner(self, option_id):
        """The leaf criterion an option belongs to."""
        self._index()
        return self._owners.get(option_id)

    def choose_one_case(self, criterion):
        """The (group, case) pair if ``criterion`` sits in a choose-one group."""
        for group in self.walk():
            if not group.choose_one:
                continue
            for case in group.children:
                if criterion is case or _contains(case, criterion):
                    return group, case
        return None

    def _index(self):
        if self._options is not None:
            return
        # Built aside and published last: a cached sheet is shared between threads.
        options, owners = {}, {}
        for criterion in self.leaves():
            for option in criterion.options:
                options[option.id] = option
                owners[option.id] = criterion
        self._owners = owners
        self._options = options


def _contains(parent, criterion):
    return any(
        child is criterion or _contains(child, criterion) for child in parent.children
    )


@dataclass(frozen=True)
class TierSpec:
    order: int
    certifies_stars: tuple = ()
    refers_from: Decimal | None = None


@dataclass(frozen=True)
class CouncilRules:
    max_spread: Decimal = Decimal("10")
    quorum: Fraction = Fraction(3, 4)
    is_chair_required: bool = True


DEFAULT_BANDS = ((5, Decimal("90")), (4, Decimal("70")), (3, Decimal("50")))


# -- one member's sheet ------------------------------------------------------------


def part_totals(sheet, selections):
    """The points of a member's chosen options, by part: ``{"A": 31, ...}``."""
    totals = dict.fromkeys(PARTS, 0)
    for option_id in selections:
        option = sheet.option(option_id)
        if option is not None:
            totals[sheet.owner(option_id).part] += option.points or 0
    return totals


def _chosen_by_criterion(sheet, selections):
    """The option chosen per criterion code, with what is wrong: an option not of
    the sheet, two options of one criterion."""
    problems = []
    chosen = {}
    for option_id in selections:
        criterion = sheet.owner(option_id)
        if criterion is None:
            problems.append(
                _("Lựa chọn %(id)s không thuộc phiếu này.") % {"id": option_id}
            )
            continue
        if criterion.code in chosen:
            problems.append(
                _("Tiêu chí %(code)s chỉ được chọn một phương án.")
                % {"code": criterion.code}
            )
        chosen[criterion.code] = option_id
    return problems, chosen


def draft_problems(sheet, selections):
    """What keeps even a draft from being saved: an option not of the sheet, or
    two options of one criterion (the page offers one; a hand-made request could
    post more, and the draft's total would count them all)."""
    return _chosen_by_criterion(sheet, selections)[0]


def check_selections(sheet, selections):
    """What keeps a member's sheet from being submitted, as messages (none if fine).

    One option per criterion, every criterion answered, only one case of a
    choose-one group.
    """
    problems, chosen = _chosen_by_criterion(sheet, selections)

    skipped = set()
    for group in sheet.walk():
        if not group.choose_one:
            continue
        scored_cases = [
            case
            for case in group.children
            if any(leaf.code in chosen for leaf in _leaves_of(case))
        ]
        if len(scored_cases) > 1:
            problems.append(
                _("Nhóm %(code)s chỉ chấm một trong các trường hợp.")
                % {"code": group.code}
            )
        kept = scored_cases[0] if scored_cases else group.children[0]
        for case in group.children:
            if case is not kept:
                skipped.update(leaf.code for leaf in _leaves_of(case))

    for leaf in sheet.leaves():
        if leaf.code not in chosen and leaf.code not in skipped:
            problems.append(
                _("Tiêu chí %(code)s chưa được chấm.") % {"code": leaf.code}
            )
    return problems


def _leaves_of(criterion):
    if criterion.is_leaf:
        return [criterion]
    return [leaf for child in criterion.children for leaf in _leaves_of(child)]


def unmet_minimums(sheet, selections):
    """The star minimums one member's sheet misses: ``{level: [criterion codes]}``.

    It drives the warnings a member sees while ticking.
    """
    return _unmet(sheet, [selections])


# -- the council ------------------------------------------------------------------


def council_score(totals):
    """The mean of the members' totals, rounded half up to two decimals."""
    if not totals:
        return None
    mean = Decimal(sum(totals)) / Decimal(len(totals))
    return mean.quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def band_stars(score, bands=DEFAULT_BANDS):
    """The stars of the highest band whose minimum ``score`` reaches.

    ``bands`` are ``(stars, minimum)`` pairs; a score below every listed band gets
    the band below the lowest (2★ under 50 when 3★ starts at 50), never under 1.
    """
    score = Decimal(score)
    ordered = sorted(((s, Decimal(m)) for s, m in bands), key=lambda b: -b[1])
    for stars, minimum in ordered:
        if score >= minimum:
            return stars
    return max(1, ordered[-1][0] - 1) if ordered else 1


def met_levels(sheet, sheets_selections):
    """The star levels whose minimums the council's sheets meet, cumulatively.

    Returns the highest level ``L`` such that every minimum marked for 3..L is met
    (1 and 2 stars have no minimums).
    """
    unmet = _unmet(sheet, sheets_selections)
    level = 2
    for candidate in (3, 4, 5):
        if unmet.get(candidate):
            break
        level = candidate
    return level


def _unmet(sheet, sheets_selections):
    """For each star level, the criteria whose cumulative minimum is not met.

    A minimum marked N applies to level N and above. On a criterion, the council's
    points are the mean of the members' points there; a criterion of an unscored
    choose-one case is left out.
    """
    counted = [set(selections) for selections in sheets_selections]
    unmet = {3: [], 4: [], 5: []}
    for leaf in sheet.leaves():
        marked = [o for o in leaf.options if o.min_for_stars]
        if not marked:
            continue
        case = sheet.choose_one_case(leaf)
        if case is not None and not _case_scored(case[1], counted):
            continue
        mean = _mean_points(leaf, counted)
        for level in (3, 4, 5):
            needed = [o.points or 0 for o in marked if o.min_for_stars <= level]
            if needed and (mean is None or mean < max(needed)):
                unmet[level].append(leaf.code)
    return unmet


def _case_scored(case, counted):
    ids = {o.id for leaf in _leaves_of(case) for o in leaf.options}
    return any(ids & selections for selections in counted)


def _mean_points(leaf, counted):
    points = []
    for selections in counted:
        chosen = [o for o in leaf.options if o.id in selections]
        points.append(chosen[0].points or 0 if chosen else 0)
    if not points:
        return None
    return Fraction(sum(points), len(points))


def knocked_out_codes(sheet, sheets_knock_outs):
    """The knock-out criteria marked by more than half of the members who scored."""
    if not sheets_knock_outs:
        return []
    knock_out_ids = {c.id: c.code for c in sheet.walk() if c.knock_out}
    counts = Counter(
        criterion_id
        for marks in sheets_knock_outs
        for criterion_id in set(marks)
        if criterion_id in knock_out_ids
    )
    half = Fraction(len(sheets_knock_outs), 2)
    return sorted(knock_out_ids[cid] for cid, n in counts.items() if n > half)


def spread(totals):
    return max(totals) - min(totals) if totals else 0


def blocking_reasons(totals, *, eligible, submitted_ids, chair_id, rules, recused=0):
    """Why a council's result cannot stand yet (an empty list if it can).

    ``eligible`` are the ids of the members who may score this product (scoring
    roles, without those who declared a conflict); ``submitted_ids`` those who did;
    ``recused`` how many scoring members declared a conflict. The chair is required
    only if the chair may score this product.
    """
    reasons = []
    gap = spread(totals)
    if gap > rules.max_spread:
        reasons.append(
            _(
                "Điểm của các thành viên chênh nhau %(gap)s điểm, vượt mức cho phép "
                "%(limit)s: hội đồng cần thảo luận và chấm lại."
            )
            % {"gap": gap, "limit": _plain(rules.max_spread)}
        )
    quorum = quorum_reason(
        eligible=eligible,
        submitted_ids=submitted_ids,
        chair_id=chair_id,
        rules=rules,
        recused=recused,
    )
    if quorum:
        reasons.append(quorum)
    return reasons


def quorum_needed(eligible_count, quorum):
    """How many members the quorum asks of ``eligible_count``: the fraction, rounded
    up (3/4 of 3 members is 3 people, of 5 is 4)."""
    return math.ceil(quorum * eligible_count)


def quorum_reason(*, eligible, submitted_ids, chair_id, rules, recused=0):
    """The sentence saying how the submitted sheets fall short of the quorum (the
    council settings' fraction of the members who may score the product, the chair
    among them when the settings require it), or "" when they meet it."""
    eligible = set(eligible)
    submitted = set(submitted_ids) & eligible
    if not eligible:
        return _(
            "Không còn thành viên nào được chấm sản phẩm này: cả %(recused)s thành "
            "viên chấm điểm của hội đồng đã khai xung đột lợi ích. Cần bổ sung thành "
            "viên hội đồng."
        ) % {"recused": recused}
    needed = quorum_needed(len(eligible), rules.quorum)
    is_chair_counted = rules.is_chair_required and chair_id in eligible
    lacks_chair = is_chair_counted and chair_id not in submitted
    if len(submitted) >= needed and not lacks_chair:
        return ""

    counts = {"done": len(submitted), "total": len(eligible)}
    if len(submitted) >= needed:
        state = _(
            "Đã có %(done)s trong %(total)s thành viên được chấm sản phẩm này nộp "
            "phiếu nhưng chưa có phiếu của Chủ tịch hội đồng"
        )
    elif lacks_chair:
        state = _(
            "Mới có %(done)s trong %(total)s thành viên được chấm sản phẩm này nộp "
            "phiếu, chưa có phiếu của Chủ tịch hội đồng"
        )
    else:
        state = _(
            "Mới có %(done)s trong %(total)s thành viên được chấm sản phẩm này nộp "
            "phiếu"
        )
    rule_values = {"quorum": _plain(rules.quorum), "needed": needed}
    if rules.quorum >= 1:
        rule = (
            _("quy chế cần tất cả thành viên đó (%(needed)s người) nộp phiếu.")
            if not is_chair_counted
            else _(
                "quy chế cần tất cả thành viên đó (%(needed)s người) nộp phiếu, kể "
                "cả Chủ tịch."
            )
        )
    elif is_chair_counted:
        rule = _(
            "quy chế cần ít nhất %(quorum)s số thành viên đó (%(needed)s người) nộp "
            "phiếu, kể cả Chủ tịch."
        )
    else:
        rule = _(
            "quy chế cần ít nhất %(quorum)s số thành viên đó (%(needed)s người) nộp "
            "phiếu."
        )
    sentence = _("%(state)s; %(rule)s") % {
        "state": state % counts,
        "rule": rule % rule_values,
    }
    if (
        recused
        and rules.is_chair_required
        and chair_id is not None
        and (chair_id not in eligible)
    ):
        sentence += " " + _(
            "Không tính %(recused)s thành viên đã khai xung đột lợi ích, trong đó có "
            "Chủ tịch hội đồng."
        ) % {"recused": recused}
    elif recused:
        sentence += " " + _(
            "Không tính %(recused)s thành viên đã khai xung đột lợi ích."
        ) % {"recused": recused}
    return sentence


def _plain(value):
    if isinstance(value, Fraction):
        return f"{value.numerator}/{value.denominator}"
    return f"{Decimal(value).normalize():f}"


@dataclass(frozen=True)
class Result:
    score: Decimal | None
    band: int | None
    stars: int | None
    knocked_out: tuple
    unmet: dict


def council_result(sheet, member_sheets, bands=DEFAULT_BANDS):
    """Score, stars and knock-outs from the members' ``(selections, knock_outs)``."""
    all_selections = [selections for selections, _marks in member_sheets]
    totals = [sum(part_totals(sheet, s).values()) for s in all_selections]
    score = council_score(totals)
    knocked = tuple(knocked_out_codes(sheet, [m for _s, m in member_sheets]))
    if score is None:
        return Result(None, None, None, knocked, {})
    band = band_stars(score, bands)
    level = met_levels(sheet, all_selections)
    stars = None if knocked else min(band, level)
    unmet = _unmet(sheet, all_selections)
    return Result(score, band, stars, knocked, unmet)


# -- what the result means ---------------------------------------------------------


def outcome_for(score, stars, tiers, current_order, *, knocked_out=False):
    """What a result at tier ``current_order`` means: ``(outcome, tier order, stars)``.

    ``outcome`` is "referred", "certified" or "ended"; for "certified", the order
    of the certifying tier and the stars it certifies.
    """
    ordered = sorted(tiers, key=lambda t: t.order)
    current = next(t for t in ordered if t.order == current_order)
    following = [t for t in ordered if t.order > current_order]
    if knocked_out or stars is None:
        return "ended", None, None

    if following and current.refers_from is not None and score is not None:
        next_tier = following[0]
        lowest_next = min(next_tier.certifies_stars, default=None)
        if (
            Decimal(score) >= Decimal(current.refers_from)
            and lowest_next is not None
            and stars >= lowest_next
        ):
            return "referred", next_tier.order, None

    # The highest level at or below the stars earned that a tier up to this one
    # certifies; a tier never certifies above what it is given.
    best = None
    for tier in ordered:
        if tier.order > current_order:
            continue
        for level in tier.certifies_stars:
            if level <= stars and (best is None or level > best[1]):
                best = (tier.order, level)
    if best is None:
        return "ended", None, None
    return "certified", best[0], best[1]
