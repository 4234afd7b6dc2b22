"""The registration list as a spreadsheet, in the layout the importer reads.

Title rows, the header (TT / Tên sản phẩm/huyện / Tên chủ thể sản xuất / Đại diện /
Địa chỉ cơ sở sản xuất / Số điện thoại), a row per section (A new, B re-evaluation,
C upgrade) and per district with their subtotals, a row per product, and each
producer's cells merged down over its products, as the province keeps it. An export
imports back unchanged.
"""

from collections import Counter

from django.utils.translation import gettext as _

from .enums import ProducerKind, RegistrationKind
from .models import Registration

SECTION_LETTERS = {
    RegistrationKind.NEW: "A",
    RegistrationKind.RE_EVALUATION: "B",
    RegistrationKind.UPGRADE: "C",
}
HEADERS = (
    "TT",
    "Tên sản phẩm/huyện",
    "Tên chủ thể sản xuất",
    "Đại diện",
    "Địa chỉ cơ sở sản xuất",
    "Số điện thoại",
)
WIDTHS = (6, 42, 44, 22, 34, 14)
# How a subtotal names each kind of producer, in the order it lists them.
KIND_WORDS = (
    (ProducerKind.ENTERPRISE, "Doanh nghiệp"),
    (ProducerKind.COOPERATIVE, "HTX"),
    (ProducerKind.HOUSEHOLD, "hộ kinh doanh"),
    (ProducerKind.COOPERATIVE_GROUP, "tổ hợp tác"),
    (ProducerKind.FARM, "trang trại"),
    (ProducerKind.OTHER, "chủ thể khác"),
)


def in_sentence(name):
    """'Tỉnh Lai Châu' as it reads inside a sentence: 'tỉnh Lai Châu'."""
    for word in ("Tỉnh ", "Thành phố "):
        if name.startswith(word):
            return word.lower() + name[len(word) :]
    return name


def roman(number):
    """1 -> 'I', 14 -> 'XIV': how district rows are numbered."""
    numerals = (
        (1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
        (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"),
    )  # fmt: skip
    text = ""
    for value, numeral in numerals:
        count, number = divmod(number, value)
        text += numeral * count
    return text


def subtotal_text(products, producers):
    """'65 sản phẩm của 40 chủ thể (7 Doanh nghiệp, 13 HTX, …)'."""
    kinds = Counter(producer["kind"] for producer in producers.values())
    parts = [f"{kinds[kind]} {word}" for kind, word in KIND_WORDS if kinds[kind]]
    text = f"{products} sản phẩm của {len(producers)} chủ thể"
    return f"{text} ({', '.join(parts)})" if parts else text


def section_title(kind, year, previous_years):
    previous = max(previous_years, key=previous_years.get) if previous_years else None
    if kind == RegistrationKind.RE_EVALUATION:
        return (
            f"Danh sách sản phẩm đạt sao năm {previous} đăng ký tham gia đánh giá lại"
            if previous
            else "Danh sách sản phẩm đăng ký tham gia đánh giá lại"
        )
    if kind == RegistrationKind.UPGRADE:
        return (
            f"Danh sách sản phẩm đạt sao OCOP năm {previous} đăng ký tham gia "
            f"nâng hạng sao năm {year}"
            if previous
            else f"Danh sách sản phẩm đăng ký tham gia nâng hạng sao năm {year}"
        )
    return f"Danh sách sản phẩm đăng ký tham gia Chương trình OCOP năm {year}"


def registration_list_data(province, year):
    """The list as plain data: sections, their districts, producers and products."""
    registrations = (
        Registration.objects.filter(province=province, year=year)
        .select_related("district", "product__producer")
        .order_by("district__code", "source_row", "id")
    )
    sections = {}
    for registration in registrations:
        section = sections.setdefault(
            registration.kind, {"districts": {}, "previous_years": Counter()}
        )
        if registration.previous_year:
            section["previous_years"][registration.previous_year] += 1
        district = registration.district
        district_key = district.code if district else ""
        producers = section["districts"].setdefault(
            district_key,
            {
                "name": district.name if district else _("Không rõ huyện"),
                "producers": {},
            },
        )["producers"]
        producer = registration.product.producer
        entry = producers.setdefault(
            producer.pk,
            {
                "name": producer.name,
                "kind": producer.kind,
                "representative": producer.representative,
                "address": producer.address,
                "phone": producer.phone,
                "products": [],
            },
        )
        entry["products"].append(registration.product.name)

    result = []
    for kind in SECTION_LETTERS:
        if kind not in sections:
            continue
        section = sections[kind]
        districts = []
        all_producers = {}
        product_count = 0
        for district in section["districts"].values():
            producers = district["producers"]
            count = sum(len(p["products"]) for p in producers.values())
            product_count += count
            all_producers.update(producers)
            districts.append(
                {
                    "title": f"{district['name']}: {subtotal_text(count, producers)}",
                    "producers": list(producers.values()),
                }
            )
        title = section_title(kind, year, section["previous_years"])
        result.append(
            {
                "letter": SECTION_LETTERS[kind],
                "title": f"{title}: {subtotal_text(product_count, all_producers)}",
                "districts": districts,
            }
        )
    return {
        "title": "DANH SÁCH SẢN PHẨM ĐĂNG KÝ THAM GIA THỰC HIỆN CHƯƠNG TRÌNH OCOP "
        f"NĂM {year}",
        "subtitle": f"(Kèm theo Kế hoạch của UBND {in_sentence(province.name)})",
        "sections": result,
    }


def registration_list_xlsx(data):
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.utils import get_column_letter

    from ocop.spreadsheets import put, to_bytes

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Danh sach OCOP"
    side = Side(style="thin")
    border = Border(left=side, right=side, top=side, bottom=side)
    top = Alignment(vertical="top", wrap_text=True)
    last = len(HEADERS)

    for row, text, size in ((1, data["title"], 13), (2, data["subtitle"], 11)):
        cell = put(sheet, row, 1, text)
        cell.font = Font(bold=row == 1, italic=row == 2, size=size)
        cell.alignment = Alignment(horizontal="center")
        sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=last)
    for column, header in enumerate(HEADERS, start=1):
        cell = put(sheet, 4, column, header)
        cell.font = Font(bold=True)
        cell.border = border
        cell.alignment = Alignment(
            horizontal="center", vertical="center", wrap_text=True
        )

    row = 4
    for section in data["sections"]:
        row += 1
        put(sheet, row, 1, section["letter"])
        put(sheet, row, 2, section["title"])
        sheet.merge_cells(start_row=row, start_column=2, end_row=row, end_column=last)
        for column in range(1, last + 1):
            sheet.cell(row=row, column=column).font = Font(bold=True)
            sheet.cell(row=row, column=column).border = border
        sheet.cell(row=row, column=2).alignment = top
        for index, district in enumerate(section["districts"]):
            row += 1
            put(sheet, row, 1, f"{roman(index + 1)}. {district['title']}")
            sheet.merge_cells(
                start_row=row, start_column=1, end_row=row, end_column=last
            )
            sheet.cell(row=row, column=1).font = Font(bold=True, italic=True)
            number = 0
            for producer in district["producers"]:
                first = row + 1
                for product in producer["products"]:
                    row += 1
                    number += 1
                    put(sheet, row, 1, number)
                    put(sheet, row, 2, product)
                    for column in range(1, last + 1):
                        sheet.cell(row=row, column=column).border = border
                        sheet.cell(row=row, column=column).alignment = top
                values = (
                    producer["name"],
                    producer["representative"],
                    producer["address"],
                    producer["phone"],
                )
                for column, value in enumerate(values, start=3):
                    put(sheet, first, column, value or None)
                    if row > first:
                        sheet.merge_cells(
                            start_row=first,
                            start_column=column,
                            end_row=row,
                            end_column=column,
                        )
    for column, width in enumerate(WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    sheet.freeze_panes = "A5"
    sheet.print_title_rows = "4:4"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.page_setup.fitToHeight = 0
    return to_bytes(workbook)
