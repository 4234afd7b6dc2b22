"""The scoring sheet as a page shows it: parts, groups, criteria and options.

Two queries (criteria, options) give everything the page and ``scoring.js`` need;
the points are never added up here for the record, only for the first paint: the
services compute what is kept.
"""

import json

from django.utils.translation import gettext as _

from ..enums import PART_MAXIMA, Part
from ..models import Criterion, Option


class Node:
    """A criterion of the sheet with its options and children, ready to render."""

    def __init__(self, criterion):
        self.criterion = criterion
        self.options = []
        self.children = []
        self.case_of = None  # the choose-one group a case belongs to
        self.chosen = None

    @property
    def is_leaf(self):
        return not self.children

    @property
    def minimums_json(self):
        """``[[stars, points], ...]`` of the options marked as a star minimum."""
        return json.dumps(
            [[o.min_for_stars, o.points or 0] for o in self.options if o.min_for_stars]
        )

    def leaves(self):
        if self.is_leaf:
            return [self]
        return [leaf for child in self.children for leaf in child.leaves()]


def sheet_parts(sheet, selections=(), knock_outs=()):
    """The sheet's parts, each ``{"code", "label", "maximum", "groups", "total"}``."""
    selections = {int(i) for i in selections}
    knock_outs = {int(i) for i in knock_outs}
    nodes = {c.pk: Node(c) for c in Criterion.objects.filter(sheet=sheet)}
    for option in Option.objects.filter(criterion__sheet=sheet).order_by("order"):
        node = nodes[option.criterion_id]
        node.options.append(option)
        if option.pk in selections:
            node.chosen = option
    roots = []
    for node in sorted(nodes.values(), key=lambda n: n.criterion.order):
        node.is_knocked_out = node.criterion.pk in knock_outs
        parent = nodes.get(node.criterion.parent_id)
        (parent.children if parent else roots).append(node)
    for node in nodes.values():
        if node.criterion.choose_one:
            for case in node.children:
                for leaf in case.leaves():
                    leaf.case_of = (node.criterion.pk, case.criterion.pk)

    parts = []
    for part in Part:
        groups = [n for n in roots if n.criterion.part == part.value]
        total = sum(
            leaf.chosen.points or 0
            for group in groups
            for leaf in group.leaves()
            if leaf.chosen
        )
        parts.append(
            {
                "code": part.value,
                "label": part.label,
                "maximum": PART_MAXIMA[part],
                "groups": groups,
                "total": total,
            }
        )
    return parts


def posted_choices(post, parts):
    """The option and knock-out ids ticked in a posted sheet, only the sheet's own."""
    selections, knock_outs = [], []
    marked = set(post.getlist("knock_out"))
    for part in parts:
        for group in part["groups"]:
            for leaf in group.leaves():
                value = post.get(f"c{leaf.criterion.pk}")
                ids = {str(o.pk): o.pk for o in leaf.options}
                if value in ids:
                    selections.append(ids[value])
                if leaf.criterion.knock_out and str(leaf.criterion.pk) in marked:
                    knock_outs.append(leaf.criterion.pk)
            for node in _walk(group):
                if (
                    not node.is_leaf
                    and node.criterion.knock_out
                    and str(node.criterion.pk) in marked
                ):
                    knock_outs.append(node.criterion.pk)
    return selections, knock_outs


def _walk(node):
    yield node
    for child in node.children:
        yield from _walk(child)


def bands_json(rulebook):
    """The rulebook's star bands for ``scoring.js``, highest first."""
    bands = sorted(
        ({"stars": b["stars"], "min": float(b["min"])} for b in rulebook.star_bands),
        key=lambda b: -b["min"],
    )
    return json.dumps(bands)


def js_messages():
    """The sentences ``scoring.js`` shows, translated here."""
    return json.dumps(
        {
            "band": _("Theo điểm: %(stars)s sao"),
            "minimum": _(
                "Chưa đạt mức tối thiểu hạng %(level)s sao ở tiêu chí %(codes)s: "
                "sản phẩm chỉ được xếp %(stars)s sao."
            ),
            "knockOut": _("Tiêu chí %(code)s đánh dấu loại: sản phẩm bị loại."),
            "missing": _("Còn %(count)s tiêu chí chưa chấm."),
            "cannotSubmit": _(
                "Chưa nộp được: còn %(count)s tiêu chí chưa chấm (đã đánh dấu đỏ). "
                "Hãy chấm đủ rồi nộp lại."
            ),
            "complete": _("Đã chấm đủ các tiêu chí."),
            "excluded": _("bị loại"),
            "reload": _("Tải lại trang"),
            "saveOffline": _(
                "Không gửi được phiếu nháp tới máy chủ (mất kết nối mạng?): phiếu "
                "chưa được lưu. Kiểm tra mạng rồi bấm «Lưu nháp» lại."
            ),
            "saveSignedOut": _(
                "Phiên đăng nhập đã hết nên phiếu nháp chưa được lưu. Hãy tải lại "
                "trang và đăng nhập lại."
            ),
            "saveForbidden": _(
                "Máy chủ từ chối lưu phiếu nháp: trang đã mở quá lâu hoặc bạn không "
                "còn được chấm sản phẩm này. Phiếu chưa được lưu; hãy tải lại trang."
            ),
            "saveNotFound": _(
                "Không còn tìm thấy phiếu chấm này: đợt đánh giá có thể đã đóng hoặc "
                "sản phẩm không còn trong đợt. Phiếu chưa được lưu; hãy tải lại trang."
            ),
            "saveRefused": _(
                "Máy chủ không nhận phiếu nháp (mã %(status)s): trang có thể đã cũ. "
                "Phiếu chưa được lưu; hãy tải lại trang rồi lưu lại."
            ),
            "saveServerError": _(
                "Máy chủ gặp lỗi (mã %(status)s) nên phiếu nháp chưa được lưu. Hãy "
                "bấm «Lưu nháp» lại sau ít phút; nếu vẫn lỗi, báo quản trị hệ thống."
            ),
            "saveUnexpected": _(
                "Máy chủ trả lời không như mong đợi nên không chắc phiếu nháp đã được "
                "lưu. Hãy tải lại trang để xem phiếu như đã lưu."
            ),
        }
    )
