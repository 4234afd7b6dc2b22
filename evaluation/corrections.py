"""The corrections this project proposes for the faults of the 26/2026 sheets.

None is applied by the loader: an administrator applies them (``load_scoring_sheets
--apply-known-corrections --by USERNAME``, or the correction page, which offers them
filled in), and each becomes a new version of its sheet with that person and the
reason below, through ``sheets.correct_sheet`` like any correction. They have not
been checked against the signed PDF of the decision; the reasons say so.

They correct the sheets as the file prints them, so they are applied only to a
sheet that no one has corrected yet: applying them again (``setup_demo`` on every
start) leaves alone a sheet corrected since, by them or on the correction page.
"""

import logging
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from .models import ScoringSheet
from .sheets import EDITION_2026, correct_sheet, latest_sheet

logger = logging.getLogger(__name__)

BILINGUAL_OPTIONS = [
    {"text": "Không sử dụng song ngữ", "points": 0, "min_for_stars": None},
    {"text": "Có sử dụng song ngữ", "points": 1, "min_for_stars": None},
]
REASON_BILINGUAL = _(
    "Văn bản không in phương án cho tiêu chí “Ghi nhãn hàng hóa có sử dụng song "
    "ngữ” (tối đa 1 điểm): thêm “Không” = 0 và “Có” = 1 (chưa đối chiếu bản ký)."
)
REASON_BLANK = _(
    "Phương án “Không được cấp giấy chứng nhận chất lượng” để trống điểm; các bộ "
    "khác cho 0 điểm nên ghi 0 (chưa đối chiếu bản ký)."
)
REASON_SET_4 = _(
    "Nhóm 7 (Dinh dưỡng) in điểm 13 cho phương án cao nhất, vượt điểm tối đa 3 và "
    "làm phiếu cộng thành 110 điểm: sửa thành 3 (chưa đối chiếu bản ký)."
)
REASON_SET_11 = _(
    "Tiêu chí 6.1.1 (Tạp chất) in điểm 11 cho phương án giữa, vượt điểm tối đa 2 "
    "và làm phiếu cộng thành 109 điểm: sửa thành 1 (chưa đối chiếu bản ký)."
)


def known_corrections():
    """``{set number: [(reason, changes), ...]}`` for every failing 26/2026 sheet."""
    corrections = {}
    for number in range(1, 23):
        code = "2.4" if number <= 20 else "2.3"
        changes = [{"criterion": code, "add_option": o} for o in BILINGUAL_OPTIONS]
        corrections[number] = [(REASON_BILINGUAL, changes)]
    for number in (4, 7, 10, 11):
        corrections[number].append(
            (REASON_BLANK, [{"criterion": "1.2", "option": 1, "points": 0}])
        )
    corrections[4].append(
        (REASON_SET_4, [{"criterion": "7", "option": 3, "points": 3}])
    )
    corrections[11].append(
        (REASON_SET_11, [{"criterion": "6.1.1", "option": 2, "points": 1}])
    )
    return corrections


def proposed_changes(sheet):
    """The known corrections of a sheet as ``correct_sheet`` changes, each with its
    reason; empty for a sheet that passes its checks or has none proposed."""
    if sheet.edition != EDITION_2026 or sheet.is_valid:
        return []
    steps = known_corrections().get(sheet.product_set.number, [])
    return [
        {**change, "reason": str(reason)} for reason, step in steps for change in step
    ]


@dataclass
class KnownCorrections:
    """What ``apply_known_corrections`` did: the new versions it wrote, and the
    newest versions it left alone because they had a correction of their own."""

    corrected: list = field(default_factory=list)
    left_alone: list = field(default_factory=list)

    def left_alone_line(self):
        """One line saying which sheets were left alone, and which of them cannot
        be scored on as they stand."""
        count = len(self.left_alone)
        line = ngettext(
            "Hiệu chỉnh đã biết: để nguyên %(count)s phiếu đã có hiệu chỉnh riêng.",
            "Hiệu chỉnh đã biết: để nguyên %(count)s phiếu đã có hiệu chỉnh riêng.",
            count,
        ) % {"count": count}
        failing = [sheet for sheet in self.left_alone if not sheet.is_valid]
        if failing:
            line += " " + gettext(
                "Phiên bản mới nhất không đạt kiểm tra: %(sheets)s; hội đồng chấm trên "
                "phiên bản đạt kiểm tra trước đó."
            ) % {
                "sheets": ", ".join(
                    gettext("bộ %(number)s phiên bản %(version)s")
                    % {"number": sheet.product_set.number, "version": sheet.version}
                    for sheet in failing
                )
            }
        return line


@transaction.atomic
def apply_known_corrections(actor, product_sets, numbers=None):
    """Apply the known corrections to the sheets still as the file printed them,
    each sheet's as one new version; returns a ``KnownCorrections``.

    A sheet has a correction of its own when one of its versions was made by a
    person (``corrected_by``: a correction, or a file imported again from the
    import page); it is left alone, whatever its newest version reads, so that
    applying the corrections twice changes nothing.
    ``product_sets`` maps set numbers to ``registry.ProductSet`` rows.
    """
    done = KnownCorrections()
    wanted = [n for n in known_corrections() if numbers is None or n in numbers]
    corrected_sets = set(
        ScoringSheet.objects.filter(
            edition=EDITION_2026,
            product_set__in=[product_sets[n] for n in wanted],
            corrected_by__isnull=False,
        ).values_list("product_set_id", flat=True)
    )
    for number in wanted:
        sheet = latest_sheet(product_sets[number], EDITION_2026)
        if sheet is None:
            continue
        if sheet.product_set_id in corrected_sets:
            done.left_alone.append(sheet)
            continue
        # One new version per sheet, with every reason: no half-corrected versions.
        changes = proposed_changes(sheet)
        if not changes:
            continue
        try:
            done.corrected.append(correct_sheet(sheet, actor, "", changes))
        except ValidationError as error:
            # A file loaded again without anyone named may read otherwise.
            logger.warning(
                "Known corrections do not fit %s: %s", sheet, "; ".join(error.messages)
            )
            done.left_alone.append(sheet)
    return done
