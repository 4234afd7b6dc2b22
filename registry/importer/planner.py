"""Matching what the reader found against the database: the import's plan.

The plan says, for every producer, product and registration of the sheet, whether it
will be created, updated or left as it is, and carries every warning with its sheet
and row. Nothing is written here; :mod:`.committer` writes a plan.
"""

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ..enums import (
    FIRST_PROGRAMME_YEAR,
    ProducerKind,
    RegistrationKind,
    last_programme_year,
)
from ..models import Commune, District, Producer, Product, Registration
from ..text import fold
from .issues import ERROR, HINT_YEAR, WARNING, ImportRefused, Issue
from .reader import DistrictRow, SectionRow

CREATE = "created"
UPDATE = "updated"
UNCHANGED = "unchanged"
ACTIONS = (CREATE, UPDATE, UNCHANGED)

PRODUCER_FIELDS = (
    "name",
    "kind",
    "is_branch",
    "representative",
    "phone",
    "address",
    "commune_id",
)
REGISTRATION_FIELDS = ("kind", "district_id", "commune_id", "previous_year")
CHANGE_LIST_LIMIT = 300
NOT_IN_FILE_LISTED = 20
MAX_LENGTHS = {"name": 300, "representative": 200, "address": 500, "product": 300}

_HOUSEHOLD_ONLY = {"ho kinh doanh", "ho kd", "hkd", "ho gia dinh"}

# (pattern on the folded name, kind); the earliest match in the name wins, so that
# "Công ty ... hợp tác" is an enterprise and "HTX ... công ty" a cooperative.
_KIND_PATTERNS = [
    (re.compile(r"\b(to hop tac|tht)\b"), ProducerKind.COOPERATIVE_GROUP),
    (re.compile(r"\b(hop tac xa|htx)\b"), ProducerKind.COOPERATIVE),
    (
        re.compile(r"\b(cong ty|doanh nghiep|dn|tnhh|cty|co phan)\b"),
        ProducerKind.ENTERPRISE,
    ),
    (re.compile(r"\b(ho kinh doanh|hkd|ho kd|ho gia dinh)\b"), ProducerKind.HOUSEHOLD),
    (re.compile(r"\btrang trai\b"), ProducerKind.FARM),
]


def producer_kind(name):
    """(kind, is_branch) read from a producer's name; kind ``None`` if it says none."""
    folded = fold(name)
    found = [
        (match.start(), kind)
        for pattern, kind in _KIND_PATTERNS
        if (match := pattern.search(folded))
    ]
    if not found:
        return None, False
    kind = min(found, key=lambda pair: pair[0])[1]
    is_branch = folded.startswith("chi nhanh") and kind == ProducerKind.COOPERATIVE
    return kind, is_branch


# Words of a producer's name that say its legal form, not which producer it is.
_LEGAL_FORM = re.compile(
    r"\b(cong ty|cty|tnhh|mtv|mot thanh vien|co phan|cp|doanh nghiep|dntn|dn|"
    r"tu nhan|hop tac xa|htx|to hop tac|tht|ho kinh doanh|hkd|ho kd|ho gia dinh|"
    r"chi nhanh|trang trai)\b"
)


def distinctive_name(name):
    """A producer's folded name without the words of its legal form:
    "Công ty TNHH MTV Trường Giang" → "truong giang"."""
    return " ".join(_LEGAL_FORM.sub(" ", fold(name)).split())


def names_agree(name, other):
    """Whether two names can be one producer's: the same once their legal forms are
    set aside, or one held whole in the other ("HTX Bản Giang", "Hợp tác xã nông
    nghiệp Bản Giang")."""
    first, second = distinctive_name(name), distinctive_name(other)
    if not first or not second:
        return True
    return f" {first} " in f" {second} " or f" {second} " in f" {first} "


def is_same_producer(values, other, *, by_phone=False):
    """Whether two records of a producer (a sheet's, or the registry's) stand for one.

    Not when their kinds or branch flags differ: a household business and a company
    run by one person, with one phone, are two producers. Matched on the phone, they
    are one when their names agree (:func:`names_agree`): a phone typed on another
    producer's row must not move that producer's products. Matched on the name,
    they are one unless both have a phone and the phones differ, which for a
    household business means two people of the same name (a cooperative's or an
    enterprise's name is its own in the province, so a second phone is only a
    second number).
    """
    kinds = {values["kind"], other["kind"]} - {ProducerKind.OTHER}
    if len(kinds) > 1 or values["is_branch"] != other["is_branch"]:
        return False
    if by_phone:
        return names_agree(values["name"], other["name"])
    phones = {values["phone"], other["phone"]} - {""}
    return len(phones) <= 1 or values["kind"] != ProducerKind.HOUSEHOLD


@dataclass
class ProducerPlan:
    first_row: int
    values: dict
    rows: list = field(default_factory=list)
    existing: dict | None = None
    action: str = CREATE
    changes: list = field(default_factory=list)
    district_id: int | None = None  # of the first row, to find the commune

    @property
    def label(self):
        return self.values["name"]


@dataclass
class ProductPlan:
    producer: ProducerPlan
    name: str
    name_key: str
    first_row: int
    existing: dict | None = None
    action: str = CREATE


@dataclass
class RegistrationPlan:
    product: ProductPlan
    row: int
    values: dict
    existing: dict | None = None
    action: str = CREATE
    changes: list = field(default_factory=list)


@dataclass
class Plan:
    """What an import will do; ``preview()`` is its JSON form."""

    sheet: str
    header_row: int
    year: int
    year_source: str
    province_id: int
    producers: list = field(default_factory=list)
    products: list = field(default_factory=list)
    registrations: list = field(default_factory=list)
    issues: list = field(default_factory=list)
    districts: dict = field(default_factory=dict)  # id -> name
    not_in_file: int = 0  # the year's registrations in the registry, not in the file

    @property
    def has_errors(self):
        return any(issue.level == ERROR for issue in self.issues)

    def counts(self):
        result = {}
        for name in ("producers", "products", "registrations"):
            counter = Counter(item.action for item in getattr(self, name))
            result[name] = {action: counter.get(action, 0) for action in ACTIONS}
        return result

    def preview(self):
        by_kind = Counter(item.values["kind"] for item in self.registrations)
        by_district = defaultdict(lambda: {"registrations": 0, "producers": set()})
        for item in self.registrations:
            entry = by_district[item.values["district_id"]]
            entry["registrations"] += 1
            entry["producers"].add(id(item.product.producer))
        districts = [
            {
                "id": district_id,
                "name": self.districts.get(district_id, _("(không rõ huyện)")),
                "registrations": entry["registrations"],
                "producers": len(entry["producers"]),
            }
            for district_id, entry in by_district.items()
        ]
        districts.sort(key=lambda entry: (entry["id"] is None, entry["id"] or 0))
        changes = {
            "producers": [
                {
                    "action": item.action,
                    "row": item.first_row,
                    "name": item.label,
                    "changes": item.changes,
                }
                for item in self.producers
                if item.action != UNCHANGED
            ][:CHANGE_LIST_LIMIT],
            "registrations": [
                {
                    "action": item.action,
                    "row": item.row,
                    "name": item.product.name,
                    "producer": item.product.producer.label,
                    "changes": item.changes,
                }
                for item in self.registrations
                if item.action == UPDATE
            ][:CHANGE_LIST_LIMIT],
        }
        return {
            "sheet": self.sheet,
            "header_row": self.header_row,
            "year": self.year,
            "year_source": self.year_source,
            "counts": self.counts(),
            "registrations_by_kind": {
                kind.value: by_kind.get(kind.value, 0) for kind in RegistrationKind
            },
            "districts": districts,
            "distinct_producers": len(self.producers),
            "not_in_file": self.not_in_file,
            "errors": sum(issue.level == ERROR for issue in self.issues),
            "warnings": sum(issue.level == WARNING for issue in self.issues),
            "issues": [issue.as_dict() for issue in self.issues],
            "changes": changes,
        }


class _CommuneFinder:
    """Finds the old commune named in a free-text address."""

    _ABBREVIATIONS = [
        (re.compile(r"\btt\.?\s*"), "thi tran "),
        (re.compile(r"\bp\.\s*"), "phuong "),
        (re.compile(r"\bx\.\s*"), "xa "),
    ]

    def __init__(self, province):
        self.communes = [
            (f" {_words(name)} ", pk, district_id)
            for pk, name, district_id in Commune.objects.filter(
                province=province, is_current=False
            ).values_list("id", "name", "district_id")
        ]
        self.district_of = {pk: district for _, pk, district in self.communes}
        self._cache = {}

    def find(self, address, district_id):
        """(commune id or None, problem or None)."""
        key = (address, district_id)
        if key not in self._cache:
            self._cache[key] = self._find(address, district_id)
        return self._cache[key]

    def _find(self, address, district_id):
        text = fold(address)
        for pattern, replacement in self._ABBREVIATIONS:
            text = pattern.sub(replacement, text)
        text = f" {_words(text)} "
        found = [(pk, district) for name, pk, district in self.communes if name in text]
        local = [pk for pk, district in found if district == district_id]
        candidates = local or [pk for pk, _district in found]
        if len(candidates) == 1:
            return candidates[0], None
        if not candidates:
            return None, "missing"
        return None, "ambiguous"


def _words(text):
    return " ".join(re.sub(r"[^a-z0-9]+", " ", fold(text)).split())


def _district_index(province):
    index = {}
    names = {}
    for district in District.objects.filter(province=province):
        names[district.id] = district.name
        index[_words(district.name)] = district.id
        index.setdefault(_words(district.short_name), district.id)
        if district.kind == "thanh_pho":
            index.setdefault("tp " + _words(district.short_name), district.id)
        if district.kind == "huyen":
            index.setdefault("h " + _words(district.short_name), district.id)
    return index, names


class Planner:
    """Builds a :class:`Plan` from a :class:`~.reader.SheetContent`."""

    def __init__(self, content, province, year=None):
        self.content = content
        self.province = province
        self.sheet = content.sheet
        self.issues = list(content.issues)
        if year:
            self.year, self.year_source = int(year), "override"
        elif content.title_year:
            self.year, self.year_source = content.title_year, "title"
        else:
            raise ImportRefused(
                _("Không tìm thấy năm chương trình trong tiêu đề (ví dụ «NĂM 2023»)."),
                sheet=content.sheet,
                hint=_("Hãy ghi năm vào ô «Năm chương trình» khi tải tệp lên."),
                hint_code=HINT_YEAR,
            )
        last = last_programme_year()
        if not FIRST_PROGRAMME_YEAR <= self.year <= last:
            raise ImportRefused(
                _("Năm chương trình %(year)s không hợp lệ: từ %(first)s đến %(last)s.")
                % {"year": self.year, "first": FIRST_PROGRAMME_YEAR, "last": last},
                sheet=content.sheet,
            )
        self.district_index, self.district_names = _district_index(province)
        self.communes = _CommuneFinder(province)

    def warn(self, row, message, level=WARNING):
        self.issues.append(Issue(level, self.sheet, row, str(message)))

    def build(self):
        blocks = self._blocks()
        self._load_database()
        producers = self.producer_plans = self._match_producers(blocks)
        self._resolve_communes(producers)
        products, registrations = self._plan_products(blocks)
        self._check_subtotals(blocks)
        plan = Plan(
            sheet=self.sheet,
            header_row=self.content.header_row,
            year=self.year,
            year_source=self.year_source,
            province_id=self.province.id,
            producers=producers,
            products=products,
            registrations=registrations,
            issues=sorted(self.issues, key=lambda i: (i.sheet, i.row or 0)),
            districts=self.district_names,
            not_in_file=self.not_in_file,
        )
        return plan

    # Grouping rows ---------------------------------------------------------------

    def _blocks(self):
        """Product rows grouped by producer, each block knowing its section and
        district; section and district rows become ``self.groups`` for subtotals."""
        section = None
        district_row = None
        district_id = None
        blocks = []
        block = None
        self.groups = []  # (row item, [blocks])
        open_groups = {}  # "section" / "district" -> its list of blocks
        warned_no_section = warned_no_district = False
        for item in self.content.rows:
            if isinstance(item, SectionRow):
                section, district_row, district_id, block = item, None, None, None
                open_groups = {"section": []}
                self.groups.append((item, open_groups["section"]))
                continue
            if isinstance(item, DistrictRow):
                district_row, block = item, None
                district_id = self._district(item)
                open_groups["district"] = []
                self.groups.append((item, open_groups["district"]))
                continue
            if section is None and not warned_no_section:
                warned_no_section = True
                self.warn(
                    item.row,
                    _("Sản phẩm nằm trên mọi dòng mục A/B/C; coi là đăng ký mới."),
                )
            if district_row is None and not warned_no_district:
                warned_no_district = True
                self.warn(
                    item.row,
                    _("Sản phẩm không nằm dưới dòng huyện nào; không rõ huyện."),
                )
            if item.producer or block is None:
                if not item.producer:
                    self.warn(
                        item.row,
                        _(
                            "Không có tên chủ thể, và không có chủ thể ở dòng trên; "
                            "bỏ qua sản phẩm «%(product)s»."
                        )
                        % {"product": item.product},
                        level=ERROR,
                    )
                    continue
                block = {
                    "rows": [item],
                    "section": section,
                    "district_id": district_id,
                }
                blocks.append(block)
                for members in open_groups.values():
                    members.append(block)
            else:
                block["rows"].append(item)
        for block in blocks:
            self._merge_block(block)
        return blocks

    def _district(self, item):
        district_id = self.district_index.get(_words(item.name))
        if district_id is None:
            self.warn(
                item.row,
                _("Không tìm thấy huyện «%(name)s» trong tỉnh %(province)s.")
                % {"name": item.name, "province": self.province.name},
            )
        return district_id

    def _merge_block(self, block):
        """A producer's details may be split over its rows: take each from the first
        row that has it, and say so when two rows disagree."""
        first = block["rows"][0]
        values = {"name": first.producer}
        for name in ("representative", "address", "phone"):
            values[name] = ""
            source = None
            for row in block["rows"]:
                value = getattr(row, name)
                if not value:
                    continue
                if not values[name]:
                    values[name], source = value, row.row
                elif fold(value) != fold(values[name]):
                    self.warn(
                        row.row,
                        _(
                            "%(field)s «%(value)s» khác với dòng %(row)s «%(kept)s» "
                            "của cùng chủ thể; giữ giá trị ở dòng %(row)s."
                        )
                        % {
                            "field": {
                                "representative": _("Đại diện"),
                                "address": _("Địa chỉ"),
                                "phone": _("Số điện thoại"),
                            }[name],
                            "value": value,
                            "row": source,
                            "kept": values[name],
                        },
                    )
        if fold(values["name"]) in _HOUSEHOLD_ONLY and values["representative"]:
            # A name is data, in the registry's language, whoever runs the import.
            values["name"] = f"Hộ kinh doanh {values['representative']}"
        for name, limit in MAX_LENGTHS.items():
            if len(values.get(name, "")) > limit:
                self.warn(
                    first.row,
                    _("«%(value)s…» dài quá %(limit)s ký tự.")
                    % {"value": values[name][:60], "limit": limit},
                    level=ERROR,
                )
        kind, is_branch = producer_kind(values["name"])
        if kind is None:
            self.warn(
                first.row,
                _(
                    "Không nhận ra loại hình của chủ thể «%(name)s» (doanh nghiệp, "
                    "HTX, tổ hợp tác, hộ kinh doanh); ghi là «Khác»."
                )
                % {"name": values["name"]},
            )
            kind = ProducerKind.OTHER
        values["kind"] = kind.value
        values["is_branch"] = is_branch
        block["values"] = values

    # Producers ---------------------------------------------------------------------

    def _load_database(self):
        self.db_producers = list(
            Producer.objects.filter(province=self.province).values(
                "id", "name_key", *PRODUCER_FIELDS
            )
        )
        self.db_by_phone = {}
        self.db_by_name = defaultdict(list)
        for producer in self.db_producers:
            if producer["phone"]:
                self.db_by_phone.setdefault(producer["phone"], producer)
            self.db_by_name[producer["name_key"]].append(producer)

    def _match_producers(self, blocks):
        """One plan per producer: rows of one producer, in any section or district,
        are matched on the phone, then on the name (see :func:`is_same_producer`)."""
        plans = []
        by_phone = {}
        by_name = defaultdict(list)
        for block in blocks:
            values = block["values"]
            row = block["rows"][0].row
            plan, other = self._same_producer(
                values, by_phone, by_name, lambda plan: plan.values
            )
            if other is not None:
                self._warn_phone_of_another(row, values, other.values)
            if plan is None:
                plan = ProducerPlan(
                    first_row=row,
                    values=dict(values, commune_id=None),
                    district_id=block["district_id"],
                )
                plans.append(plan)
                by_name[fold(values["name"])].append(plan)
            else:
                if fold(values["name"]) != fold(plan.values["name"]):
                    self.warn(
                        row,
                        _(
                            "Chủ thể «%(name)s» có cùng số điện thoại %(phone)s với "
                            "«%(kept)s» ở dòng %(first)s: coi là một chủ thể, giữ "
                            "tên «%(kept)s»."
                        )
                        % {
                            "name": values["name"],
                            "phone": values["phone"],
                            "kept": plan.label,
                            "first": plan.first_row,
                        },
                    )
                self._merge_producer(plan, values, row)
            if plan.values["phone"]:
                by_phone.setdefault(plan.values["phone"], plan)
            plan.rows.append(row)
            block["producer"] = plan
        for plan in plans:
            plan.existing, other = self._same_producer(
                plan.values, self.db_by_phone, self.db_by_name, lambda record: record
            )
            if other is not None:
                self._warn_phone_of_another(plan.first_row, plan.values, other)
        return plans

    @staticmethod
    def _same_producer(values, by_phone, by_name, values_of):
        """(the candidate that is the same producer as ``values``, the candidate of
        another kind that has its phone), either ``None``."""
        phone = values["phone"]
        other = None
        if phone and (candidate := by_phone.get(phone)) is not None:
            if is_same_producer(values, values_of(candidate), by_phone=True):
                return candidate, None
            other = candidate
        same = next(
            (
                candidate
                for candidate in by_name.get(fold(values["name"]), [])
                if is_same_producer(values, values_of(candidate))
            ),
            None,
        )
        return same, other

    def _warn_phone_of_another(self, row, values, other):
        self.warn(
            row,
            _(
                "Chủ thể «%(name)s» có cùng số điện thoại %(phone)s với «%(other)s» "
                "nhưng khác tên hoặc loại hình: ghi là hai chủ thể; hãy kiểm tra số "
                "điện thoại."
            )
            % {
                "name": values["name"],
                "phone": values["phone"],
                "other": other["name"],
            },
        )

    def _merge_producer(self, plan, values, row):
        for name in ("representative", "address", "phone"):
            if not plan.values[name]:
                plan.values[name] = values[name]
            elif values[name] and fold(values[name]) != fold(plan.values[name]):
                self.warn(
                    row,
                    _(
                        "Chủ thể «%(name)s» đã có ở dòng %(first)s với %(field)s "
                        "«%(kept)s»; dòng này ghi «%(value)s». Giữ giá trị ở dòng "
                        "%(first)s."
                    )
                    % {
                        "name": plan.label,
                        "first": plan.first_row,
                        "field": {
                            "representative": _("đại diện"),
                            "address": _("địa chỉ"),
                            "phone": _("số điện thoại"),
                        }[name],
                        "kept": plan.values[name],
                        "value": values[name],
                    },
                )

    def _resolve_communes(self, plans):
        for plan in plans:
            address = plan.values["address"]
            if address:
                commune_id, problem = self.communes.find(address, plan.district_id)
                plan.values["commune_id"] = commune_id
                if problem == "missing":
                    self.warn(
                        plan.first_row,
                        _(
                            "Không tìm thấy xã, phường, thị trấn nào trong địa chỉ "
                            "«%(address)s» của chủ thể «%(name)s»."
                        )
                        % {"address": address, "name": plan.label},
                    )
                elif problem == "ambiguous":
                    self.warn(
                        plan.first_row,
                        _(
                            "Địa chỉ «%(address)s» của chủ thể «%(name)s» khớp với "
                            "nhiều xã; chưa gán xã."
                        )
                        % {"address": address, "name": plan.label},
                    )
            self._compare_producer(plan)

    def _compare_producer(self, plan):
        existing = plan.existing
        if existing is None:
            plan.action = CREATE
            return
        for name in PRODUCER_FIELDS:
            new = plan.values[name]
            if new in ("", None):
                # A blank in the sheet never erases what the registry knows.
                plan.values[name] = existing[name]
                continue
            if new != existing[name]:
                plan.changes.append(name)
        plan.action = UPDATE if plan.changes else UNCHANGED

    # Products and registrations -----------------------------------------------

    def _plan_products(self, blocks):
        existing_ids = [
            plan.existing["id"] for plan in self.producer_plans if plan.existing
        ]
        db_products = {}
        for start in range(0, len(existing_ids), 5000):
            for product in Product.objects.filter(
                producer_id__in=existing_ids[start : start + 5000]
            ).values("id", "producer_id", "name", "name_key"):
                db_products.setdefault(
                    (product["producer_id"], product["name_key"]), product
                )
        db_registrations = {
            registration["product_id"]: registration
            for registration in Registration.objects.filter(
                province=self.province, year=self.year
            ).values("id", "product_id", *REGISTRATION_FIELDS)
        }

        products = {}
        registrations = []
        seen_rows = {}
        for block in blocks:
            producer = block["producer"]
            section = block["section"]
            kind = section.kind if section else RegistrationKind.NEW
            for row in block["rows"]:
                name_key = fold(row.product)
                key = (id(producer), name_key)
                if key in seen_rows:
                    self.warn(
                        row.row,
                        _(
                            "Sản phẩm «%(product)s» của «%(producer)s» đã có ở dòng "
                            "%(first)s; mỗi sản phẩm chỉ đăng ký một lần trong năm, "
                            "bỏ qua dòng này."
                        )
                        % {
                            "product": row.product,
                            "producer": producer.label,
                            "first": seen_rows[key],
                        },
                    )
                    continue
                seen_rows[key] = row.row
                if len(row.product) > MAX_LENGTHS["product"]:
                    self.warn(
                        row.row,
                        _("«%(value)s…» dài quá %(limit)s ký tự.")
                        % {"value": row.product[:60], "limit": MAX_LENGTHS["product"]},
                        level=ERROR,
                    )
                product = ProductPlan(
                    producer=producer,
                    name=row.product,
                    name_key=name_key,
                    first_row=row.row,
                )
                if producer.existing:
                    found = db_products.get((producer.existing["id"], name_key))
                    if found:
                        product.existing = found
                        product.action = (
                            UPDATE if found["name"] != row.product else UNCHANGED
                        )
                products[key] = product
                registrations.append(
                    self._plan_registration(
                        product, row, kind, section, block, db_registrations
                    )
                )
        self._warn_not_in_file(db_registrations, registrations)
        return list(products.values()), registrations

    def _warn_not_in_file(self, db_registrations, registrations):
        """The year's registrations that the registry holds and this file does not
        list: kept as they are (an import never deletes), and said."""
        planned = {plan.existing["id"] for plan in registrations if plan.existing}
        missing = [r["id"] for r in db_registrations.values() if r["id"] not in planned]
        self.not_in_file = len(missing)
        if not missing:
            return
        named = (
            Registration.objects.filter(pk__in=missing)
            .select_related("product__producer")
            .order_by("product__producer__name", "product__name")
        )
        for registration in named[:NOT_IN_FILE_LISTED]:
            self.warn(
                None,
                _(
                    "Đăng ký năm %(year)s của sản phẩm «%(product)s» (%(producer)s) "
                    "đã có trong hệ thống nhưng không có trong tệp này; vẫn giữ nguyên."
                )
                % {
                    "year": self.year,
                    "product": registration.product.name,
                    "producer": registration.product.producer.name,
                },
            )
        if len(missing) > NOT_IN_FILE_LISTED:
            more = len(missing) - NOT_IN_FILE_LISTED
            self.warn(
                None,
                ngettext(
                    "Và %(count)s đăng ký khác của năm %(year)s đã có trong hệ thống "
                    "nhưng không có trong tệp này.",
                    "Và %(count)s đăng ký khác của năm %(year)s đã có trong hệ thống "
                    "nhưng không có trong tệp này.",
                    more,
                )
                % {"count": more, "year": self.year},
            )

    def _plan_registration(self, product, row, kind, section, block, db_registrations):
        producer = product.producer
        district_id = block["district_id"]
        commune_id = producer.values["commune_id"]
        if commune_id and self.communes.district_of.get(commune_id) != district_id:
            commune_id = None
        values = {
            "kind": kind.value if hasattr(kind, "value") else kind,
            "district_id": district_id,
            "commune_id": commune_id,
            "previous_year": section.previous_year if section else None,
        }
        plan = RegistrationPlan(product=product, row=row.row, values=values)
        if product.existing:
            existing = db_registrations.get(product.existing["id"])
            if existing:
                plan.existing = existing
                plan.changes = [
                    name
                    for name in REGISTRATION_FIELDS
                    if values[name] != existing[name]
                ]
                plan.action = UPDATE if plan.changes else UNCHANGED
        return plan

    # Subtotals -----------------------------------------------------------------

    def _check_subtotals(self, blocks):
        for item, blocks in self.groups:
            subtotal = item.subtotal
            products = sum(len(block["rows"]) for block in blocks)
            producers = {id(block["producer"]): block["producer"] for block in blocks}
            label = item.name if isinstance(item, DistrictRow) else item.letter
            if subtotal.products is not None and subtotal.products != products:
                self._subtotal_warning(
                    item, label, subtotal.products, products, _("sản phẩm")
                )
            if subtotal.producers is not None and subtotal.producers != len(producers):
                self._subtotal_warning(
                    item, label, subtotal.producers, len(producers), _("chủ thể")
                )
            if not subtotal.kinds:
                continue
            actual = Counter(plan.values["kind"] for plan in producers.values())
            stated = Counter()
            for text, count in subtotal.kinds.items():
                kind, _branch = producer_kind(text)
                stated[kind.value if kind else text] += count
            for kind in sorted(set(actual) | set(stated)):
                if actual.get(kind, 0) != stated.get(kind, 0):
                    self._subtotal_warning(
                        item,
                        label,
                        stated.get(kind, 0),
                        actual.get(kind, 0),
                        _kind_label(kind),
                    )

    def _subtotal_warning(self, item, label, stated, actual, what):
        self.warn(
            item.row,
            _(
                "Dòng tổng của «%(label)s» ghi %(stated)s %(what)s nhưng các dòng bên "
                "dưới có %(actual)s."
            )
            % {"label": label, "stated": stated, "what": what, "actual": actual},
        )


def _kind_label(kind):
    try:
        return str(ProducerKind(kind).label).lower()
    except ValueError:
        return kind


def plan_import(content, province, year=None):
    """The :class:`Plan` for a read sheet against ``province``'s registry."""
    return Planner(content, province, year).build()
