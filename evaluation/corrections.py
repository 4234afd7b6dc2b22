"""The corrections this project proposes for the faults of the 26/2026 sheets.

None is applied by the loader: an administrator applies them (``load_scoring_sheets
--apply-known-corrections --by USERNAME``, or the correction page, which offers them
filled in), and each becomes a new version of its sheet with that person and the
reason below, through ``sheets.correct_sheet`` like any correction. They have not
been checked against the signed PDF of the decision; the reasons say so.
"""

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from .sheets import EDITION_2026, correct_sheet, latest_sheet

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


@transaction.atomic
def apply_known_corrections(actor, product_sets, numbers=None):
    """Apply the known corrections to the latest sheets still failing, each sheet's
    as one new version; returns the new versions.

    ``product_sets`` maps set numbers to ``registry.ProductSet`` rows.
    """
    corrected = []
    for number in known_corrections():
        if numbers is not None and number not in numbers:
            continue
        sheet = latest_sheet(product_sets[number], EDITION_2026)
        if sheet is None:
            continue
        # One new version per sheet, with every reason: no half-corrected versions.
        changes = proposed_changes(sheet)
        if changes:
            corrected.append(correct_sheet(sheet, actor, "", changes))
    return corrected
