"""Generate a registration sheet in the province's layout, for the import benchmark.

    .venv/bin/python bench/make_sheet.py [ROWS] [OUT.xlsx]

Defaults: 20,000 product rows into ``var/bench-registration.xlsx``. The sheet looks
like the province's: title rows, the header on row 4, sections A (new), B
(re-evaluation, some producers of A again) and C (upgrade), a row per district with
correct subtotals, producers' cells merged down over their products, Lai Châu's real
districts and communes in the addresses.
"""

import random
import sys
from collections import Counter
from pathlib import Path

from openpyxl import Workbook
from openpyxl.utils import get_column_letter

BASE_DIR = Path(__file__).resolve().parent.parent

DISTRICTS = {
    "Thành phố Lai Châu": ["phường Đoàn Kết", "phường Tân Phong", "xã San Thàng"],
    "Huyện Tam Đường": ["xã Bình Lư", "xã Bản Bo", "thị trấn Tam Đường"],
    "Huyện Tân Uyên": ["xã Mường Khoa", "xã Pắc Ta", "thị trấn Tân Uyên"],
    "Huyện Than Uyên": ["xã Mường Than", "xã Mường Cang", "xã Khoen On"],
    "Huyện Mường Tè": ["thị trấn Mường Tè", "xã Ka Lăng", "xã Bum Tở"],
    "Huyện Nậm Nhùn": ["xã Mường Mô", "xã Nậm Hàng", "thị trấn Nậm Nhùn"],
    "Huyện Sìn Hồ": ["thị trấn Sìn Hồ", "xã Sà Dề Phìn", "xã Phìn Hồ"],
    "Huyện Phong Thổ": ["thị trấn Phong Thổ", "xã Mồ Sì San", "xã Sin Suối Hồ"],
}
KINDS = [
    ("Công ty TNHH", "Doanh nghiệp", 0.2),
    ("HTX", "HTX", 0.35),
    ("Hộ kinh doanh", "hộ kinh doanh", 0.4),
    ("Tổ hợp tác", "tổ hợp tác", 0.05),
]
PRODUCTS = [
    "Mật ong",
    "Thịt trâu sấy",
    "Đông trùng hạ thảo",
    "Trà shan tuyết",
    "Gạo nếp",
    "Miến dong",
    "Rượu ngô men lá",
    "Chè dây",
    "Lạp sườn hun khói",
    "Hạt mắc ca",
]
SURNAMES = ["Lò", "Nguyễn", "Hoàng", "Vàng", "Giàng", "Đỗ", "Lê", "Tẩn", "Phạm"]
GIVEN = ["Văn An", "Thị Bình", "A Páo", "Thị Mai", "Văn Hải", "Thị Lan", "A Sử"]
ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII"]
SECTIONS = [
    ("A", "Danh sách sản phẩm đăng ký tham gia Chương trình OCOP năm 2023", 0.6),
    (
        "B",
        "Danh sách sản phẩm đạt sao năm 2020 đăng ký tham gia đánh giá lại",
        0.35,
    ),
    (
        "C",
        "Danh sách sản phẩm đạt sao OCOP năm 2021 đăng ký tham gia nâng hạng sao "
        "năm 2023",
        0.05,
    ),
]


def _merge(sheet, min_row, min_col, max_row, max_col):
    """Merge cells left empty below their anchor. ``Worksheet.merge_cells`` checks
    every range already merged, which is quadratic over 20,000 rows."""
    from openpyxl.worksheet.merge import MergedCellRange

    sheet.merged_cells.ranges.add(
        MergedCellRange(
            sheet,
            f"{get_column_letter(min_col)}{min_row}:{get_column_letter(max_col)}{max_row}",
        )
    )


def _subtotal(products, producers):
    kinds = Counter(producer["kind_label"] for producer in producers)
    parts = ", ".join(
        f"{kinds[label]} {label}" for _prefix, label, _share in KINDS if kinds[label]
    )
    return f"{products} sản phẩm của {len(producers)} chủ thể ({parts})"


def _producer(number, district, rng):
    prefix, label, _share = rng.choices(KINDS, weights=[k[2] for k in KINDS])[0]
    representative = f"{rng.choice(SURNAMES)} {rng.choice(GIVEN)}"
    if prefix == "Hộ kinh doanh" and rng.random() < 0.5:
        name = "Hộ kinh doanh"  # named after its representative by the import
    else:
        name = f"{prefix} {district.split(' ')[-1]} số {number}"
    commune = rng.choice(DISTRICTS[district])
    return {
        "name": name,
        "kind_label": label,
        "representative": representative,
        "address": f"Bản {number % 40 + 1}, {commune}",
        "phone": f"091{number:07d}",  # apart from the demo list's 0900…
    }


def make(rows=20_000, out=BASE_DIR / "var" / "bench-registration.xlsx", seed=2023):
    rng = random.Random(seed)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Danh sach OCOP 2023"
    sheet.append(
        [
            "DANH SÁCH SẢN PHẨM ĐĂNG KÝ THAM GIA THỰC HIỆN CHƯƠNG TRÌNH OCOP NĂM 2023",
        ]
    )
    sheet.append(["(Kèm theo Kế hoạch của UBND tỉnh Lai Châu)"])
    sheet.append([])
    sheet.append(
        [
            "TT",
            "Tên sản phẩm/huyện",
            "Tên chủ thể sản xuất",
            "Đại diện",
            "Địa chỉ cơ sở sản xuất",
            "Số điện thoại",
        ]
    )

    row = 4  # the sheet's last written row; ws.max_row scans every cell
    number = 0
    earlier = {district: [] for district in DISTRICTS}
    for letter, title, share in SECTIONS:
        section_rows = round(rows * share) if letter != "C" else None
        if section_rows is None:
            section_rows = rows - sum(
                round(rows * s) for code, _t, s in SECTIONS if code != "C"
            )
        plan = []  # (district, [(producer, products)])
        per_district = section_rows // len(DISTRICTS)
        for index, district in enumerate(DISTRICTS):
            wanted = per_district + (
                section_rows % len(DISTRICTS) if index == len(DISTRICTS) - 1 else 0
            )
            blocks = []
            while wanted > 0:
                count = min(wanted, rng.randint(1, 5))
                if letter != "A" and earlier[district] and rng.random() < 0.4:
                    producer = rng.choice(earlier[district])
                else:
                    number += 1
                    producer = _producer(number, district, rng)
                    earlier[district].append(producer)
                serial = len(blocks)
                products = [
                    f"{rng.choice(PRODUCTS)} {letter}{serial}-{k} {producer['phone']}"
                    for k in range(count)
                ]
                blocks.append((producer, products))
                wanted -= count
            plan.append((district, blocks))

        def distinct(blocks):
            seen = {}
            for producer, _products in blocks:
                seen[producer["phone"]] = producer
            return list(seen.values())

        all_blocks = [block for _district, blocks in plan for block in blocks]
        sheet.append(
            [letter, f"{title}: {_subtotal(section_rows, distinct(all_blocks))}"]
        )
        row += 1
        for roman, (district, blocks) in zip(ROMAN, plan, strict=False):
            products = sum(len(p) for _producer_, p in blocks)
            text = f"{roman}. {district}: {_subtotal(products, distinct(blocks))}"
            sheet.append([text])
            row += 1
            _merge(sheet, row, 1, row, 6)
            serial = 0
            for producer, products_ in blocks:
                first = row + 1
                for k, product in enumerate(products_):
                    serial += 1
                    if k == 0:
                        sheet.append(
                            [
                                serial,
                                product,
                                producer["name"],
                                producer["representative"],
                                producer["address"],
                                producer["phone"],
                            ]
                        )
                    else:
                        sheet.append([serial, product])
                    row += 1
                if len(products_) > 1:
                    for column in range(3, 7):
                        _merge(sheet, first, column, row, column)
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    workbook.save(out)
    return Path(out)


if __name__ == "__main__":
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
    target = Path(sys.argv[2]) if len(sys.argv) > 2 else None
    path = make(count, target) if target else make(count)
    print(f"{count} dòng sản phẩm -> {path}")
