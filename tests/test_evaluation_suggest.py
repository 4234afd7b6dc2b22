"""The product set proposed from a product's name, on the real 2023 Lai Châu list."""

import pytest

from evaluation.suggest import suggest_product_set
from registry.importer.reader import ProductRow, read_workbook
from tests.conftest import REGISTRATION_XLSX


def real_names():
    content = read_workbook(REGISTRATION_XLSX)
    return [row.product for row in content.rows if isinstance(row, ProductRow)]


def test_every_product_of_the_2023_list_gets_a_proposal():
    names = real_names()

    unproposed = [name for name in names if suggest_product_set(name) is None]

    assert len(names) == 105
    assert unproposed == []


@pytest.mark.parametrize(
    ("name", "number"),
    [
        ("Rượu ngô men lá hạ thổ", 14),
        ("Rượu chuối", 14),
        ("Mật ong tươi Lai Châu", 4),
        ("Mật ong tinh bột nghệ nơi thượng nguồn Sông Đà", 8),
        ("Du lịch cộng đồng", 26),
        ("Du lịch cộng đồng Sin Suối Hồ", 26),
        ("Chè Tu San", 11),
        ("Trà Sencha", 11),
        ("Oolong kim tuyến việt", 11),
        ("Đông phương mỹ nhân việt", 11),
        ("Chè dây Mường Tè", 12),
        ("Trà hoa đu đủ Sìn Hồ", 12),
        ("Thịt trâu sấy Huy Râu", 8),
        ("Thịt lợn gác bếp Lục Lệ", 8),
        ("Cá lăng sấy Mường Mô", 8),
        ("Lạp sườn lợn", 8),
        ("Đông trùng hạ thảo tươi", 20),
        ("Đông trùng hạ thảo cao nguyên Sìn Hồ tươi", 20),
        ("Bột đông trùng hạ thảo", 18),
        ("Đông trùng hạ thảo ngâm rượu", 15),
        ("Gạo tẻ râu Phong Thổ", 3),
        ("Gạo nếp Tan Pòm Tà Hừa", 3),
        ("Nước lọc tinh khiết", 16),
        ("Nước Atiso cô đặc", 17),
        ("Dấm táo Mèo Mý Dao", 9),
        ("Thảo quả sấy", 10),
        ("Miến dong Bình Lư", 7),
        ("Nhân hạt Macca", 3),
        ("Tinh dầu Mắc Ca", 20),
        ("Viên cà gai leo", 18),
        ("Trang phục Hà Nhi", 22),
        ("Khèn mông A Dơ", 21),
        ("Đèn ống tre", 21),
        ("Hoa địa lan trần mộng bản Hồ Tra", 23),
        ("Ôi không hạt", 1),
        ("Trám đen Mường Tè", 1),
    ],
)
def test_suggest_product_set_from_the_name(name, number):
    assert suggest_product_set(name).number == number


def test_suggest_product_set_names_the_other_plausible_set():
    suggestion = suggest_product_set("Đông trùng hạ thảo sấy khô")

    assert (suggestion.number, suggestion.alternatives) == (20, (18,))
    assert suggestion.matched == "dong trung ha thao"


def test_suggest_product_set_does_not_read_che_bien_as_tea():
    assert suggest_product_set("Sản phẩm chế biến từ thịt lợn sấy").number == 8


def test_suggest_product_set_without_a_known_word_proposes_nothing():
    assert suggest_product_set("Sản phẩm mới") is None
