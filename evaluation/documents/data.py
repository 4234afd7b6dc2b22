"""What each printed document says, as plain data (hashable, JSON-serialisable)."""

from dataclasses import asdict, dataclass, field
from datetime import date
from decimal import Decimal


@dataclass(frozen=True)
class CertificateData:
    """One certificate (Giấy chứng nhận sản phẩm OCOP) as it is printed."""

    number: str
    product: str
    producer: str
    address: str
    stars: int
    score: Decimal
    decision_number: str
    decision_date: date
    valid_until: date
    # "Ủy ban nhân dân tỉnh Lai Châu", "Bộ Nông nghiệp và Môi trường"…
    authority: str
    # Where the document is signed: "Lai Châu", "Hà Nội".
    place: str
    signer_title: str
    verification_url: str
    product_group: str = ""

    def as_dict(self):
        return asdict(self)


@dataclass(frozen=True)
class DecisionRow:
    product: str
    producer: str
    district: str
    score: Decimal
    stars: int
    certificate_number: str = ""


@dataclass(frozen=True)
class DecisionData:
    """A decision approving a round's results (Quyết định phê duyệt kết quả…)."""

    number: str
    date: date
    authority: str
    place: str
    signer_title: str
    signer_name: str
    round_name: str
    rulebook: str
    rows: tuple[DecisionRow, ...] = field(default_factory=tuple)

    def as_dict(self):
        return asdict(self)


@dataclass(frozen=True)
class SummaryRow:
    product: str
    producer: str
    scores: tuple[Decimal | None, ...]
    average: Decimal | None
    stars: int | None
    result: str


@dataclass(frozen=True)
class RoundSummaryData:
    """The council's score summary: each member's total per product, and the result."""

    round_name: str
    council: str
    date: date | None
    members: tuple[str, ...]
    rows: tuple[SummaryRow, ...] = field(default_factory=tuple)

    def as_dict(self):
        return asdict(self)
