"""The scoring-sheet pages: the list, a sheet with its versions, the import of a
criteria file and the correction of a sheet, for each role, the forbidden ones tried."""

import copy
import json
import re
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from evaluation.corrections import apply_known_corrections
from evaluation.models import Option, ScoringSheet
from evaluation.rulebooks import load_rulebooks
from evaluation.sheet_file import read_criteria_file
from evaluation.sheets import (
    EDITION_2026,
    correct_sheet,
    import_scoring_sheets,
    latest_sheet,
    load_scoring_sheets,
)
from ocop.models import AuditEntry
from registry.enums import Role
from registry.models import ProductSet
from tests.conftest import CRITERIA_JSON
from tests.evaluation_builders import Meeting
from tests.factories import TAM_DUONG, UserFactory, district, first_commune

pytestmark = pytest.mark.django_db

SOME = {1, 4, 7, 11, 21, 22, 26}
NOTE_148 = (
    "148/QĐ-TTg: Chưa có văn bản phiếu chấm của Quyết định 148/QĐ-TTg: quy định năm "
    "2023 chấm trên phiếu của Quyết định 26/2026/QĐ-TTg."
)


@pytest.fixture(scope="module")
def criteria():
    return json.loads(CRITERIA_JSON.read_text(encoding="utf-8"))


@pytest.fixture
def some(lai_chau):
    load_rulebooks()
    return load_scoring_sheets(numbers=SOME)


@pytest.fixture
def users(lai_chau):
    return {
        "admin": UserFactory(username="s.quantri", role=Role.ADMINISTRATOR),
        "province": UserFactory(username="s.tinh", role=Role.PROVINCE_STAFF),
        "district": UserFactory(
            username="s.huyen",
            role=Role.DISTRICT_OFFICER,
            district=district(TAM_DUONG),
        ),
        "commune": UserFactory(
            username="s.xa",
            role=Role.COMMUNE_OFFICER,
            commune=first_commune(TAM_DUONG),
        ),
        "member": UserFactory(username="s.hoidong", role=Role.COUNCIL_MEMBER),
    }


def sheet_of(number):
    return latest_sheet(ProductSet.objects.get(number=number), EDITION_2026)


def upload(client, data, name="tieu-chi.json", edition=""):
    content = data if isinstance(data, bytes) else json.dumps(data).encode("utf-8")
    return client.post(
        reverse("evaluation:sheet-import"),
        {"file": SimpleUploadedFile(name, content), "edition": edition},
    )


def preview_url(response):
    assert response.status_code == 302, response.content.decode()[:2000]
    return response["Location"]


def row(content, row_id):
    match = re.search(rf'<tr id="{row_id}"[^>]*>(.*?)</tr>', content, re.S)
    assert match, row_id
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", match[1])).strip()


def text_of(content, element_id):
    match = re.search(rf'id="{element_id}"[^>]*>(.*?)</', content, re.S)
    assert match, element_id
    return match[1].strip()


def block_text(content, element_id, tag):
    """The text of the ``tag`` element with that id, tags dropped, spaces joined
    (up to the first closing ``tag``)."""
    match = re.search(
        rf'<{tag} [^>]*id="{element_id}"[^>]*>(.*?)</{tag}>', content, re.S
    )
    assert match, element_id
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", match[1])).strip()


def field_errors(content, name):
    match = re.search(rf'id="errors-{name}">(.*?)</ul>', content, re.S)
    return re.findall(r"<li>(.*?)</li>", match[1]) if match else []


# -- the list ------------------------------------------------------------------------


def test_sheet_list_shows_each_set_with_its_version_checks_and_rulebooks(
    client, some, users
):
    client.force_login(users["province"])

    response = client.get(reverse("evaluation:sheet-list"))

    content = response.content.decode()
    assert response.status_code == 200
    assert content.count('<tr id="sheet-26-2026-') == 7
    assert row(content, "sheet-26-2026-4") == (
        "4 Mật ong, mật khác và nông sản thực phẩm khác 1 Không đạt chưa chấm được "
        "1.2 : Phương án "
        "“Không được cấp giấy chứng nhận chất lượng” để trống điểm. 2 : Điểm tối "
        "đa in là 10 nhưng phương án cao nhất "
        "cho 9. 2.4 : Tiêu chí không có phương án nào để chọn. 2.4 : Điểm tối đa in "
        "là 1 nhưng phương án cao nhất cho 0. 7 : Điểm tối đa in là 3 nhưng phương "
        "án cao nhất cho 13. Phần A cộng được 39 điểm, phải là 40. Phần C cộng được "
        "45 điểm, phải là 35."
    )
    assert row(content, "sheet-26-2026-26") == (
        "26 Dịch vụ du lịch cộng đồng, du lịch sinh thái và điểm du lịch 1 Đạt "
        "phiên bản 1 —"
    )
    assert "148/QĐ-TTg</span>" in content and "26/2026/QĐ-TTg</span>" in content
    assert NOTE_148 in content
    assert 'id="sheet-import"' not in content


def test_sheet_list_in_english_gives_the_rulebooks_english_note(
    client, some, users, settings
):
    client.force_login(users["province"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    content = client.get(reverse("evaluation:sheet-list")).content.decode()

    assert (
        "148/QĐ-TTg: The scoring sheets of Decision 148/QĐ-TTg are not available: "
        "the 2023 rulebook scores on the sheets of Decision 26/2026/QĐ-TTg."
    ) in content
    assert "Chưa có văn bản phiếu chấm" not in content


def test_sheet_list_filters_the_invalid_sheets_of_an_edition(client, some, users):
    client.force_login(users["admin"])

    response = client.get(
        reverse("evaluation:sheet-list"), {"edition": "26-2026", "validity": "invalid"}
    )

    content = response.content.decode()
    assert re.findall(r'<tr id="sheet-26-2026-(\d+)"', content) == [
        "1",
        "4",
        "7",
        "11",
        "21",
        "22",
    ]
    assert 'id="sheet-import"' in content


def test_sheet_list_shows_the_newest_version_with_its_count(client, some, users):
    correct_sheet(
        sheet_of(21),
        users["admin"],
        "Thêm phương án.",
        [
            {"criterion": "2.3", "add_option": {"text": "Không", "points": 0}},
            {"criterion": "2.3", "add_option": {"text": "Có", "points": 1}},
        ],
    )
    client.force_login(users["member"])

    response = client.get(reverse("evaluation:sheet-list"), {"validity": "valid"})

    content = response.content.decode()
    assert re.findall(r'<tr id="sheet-26-2026-(\d+)"', content) == ["21", "26"]
    assert row(content, "sheet-26-2026-21").startswith(
        "21 Thủ công mỹ nghệ 2 (2 phiên bản) Đạt phiên bản 2 —"
    )


def test_sheet_list_reads_in_few_queries(
    client, some, users, django_assert_max_num_queries
):
    client.force_login(users["province"])

    with django_assert_max_num_queries(8):
        response = client.get(reverse("evaluation:sheet-list"))

    assert response.status_code == 200


@pytest.mark.parametrize("role", ["district", "commune", "member"])
def test_sheet_pages_are_read_only_for_officers_and_members(client, some, users, role):
    client.force_login(users[role])

    listing = client.get(reverse("evaluation:sheet-list"))
    detail = client.get(reverse("evaluation:sheet-detail", args=[sheet_of(4).pk]))

    assert (listing.status_code, detail.status_code) == (200, 200)
    assert 'id="sheet-import"' not in listing.content.decode()
    assert 'id="sheet-correct"' not in detail.content.decode()


def test_sheet_list_sends_anonymous_visitors_to_the_login(client, some):
    response = client.get(reverse("evaluation:sheet-list"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


# -- a sheet -------------------------------------------------------------------------


def test_sheet_detail_prints_parts_options_star_minimums_and_knock_outs(
    client, some, users
):
    client.force_login(users["province"])

    response = client.get(reverse("evaluation:sheet-detail", args=[sheet_of(7).pk]))

    content = response.content.decode()
    assert response.status_code == 200
    assert content.count('class="card mb-3 sheet-part"') == 3
    assert re.findall(r'class="[^"]*part-sum">([^<]*)<', content) == [
        "phương án cao nhất cộng được 39 / 40 điểm",
        "phương án cao nhất cộng được 25 / 25 điểm",
        "phương án cao nhất cộng được 35 / 35 điểm",
    ]
    options = Option.objects.filter(criterion__sheet=sheet_of(7))
    assert (
        content.count('class="badge text-bg-light border points"')
        + content.count('class="badge text-bg-danger points"')
        == options.count()
    )
    assert content.count('class="badge text-bg-warning star-minimum"') == (
        options.filter(min_for_stars__isnull=False).count()
    )
    assert (
        "Ghi chú: Bị loại nếu sử dụng toàn bộ nguyên liệu nhập khẩu hoặc không rõ "
        "nguồn gốc" in content
    )
    assert 'id="dossier-rejected-when"' in content
    assert NOTE_148 in content
    assert text_of(content, "sheet-validity") == "Không đạt kiểm tra, chưa chấm được"


def test_sheet_detail_of_an_old_version_says_so_and_shows_the_history(
    client, some, users
):
    printed = sheet_of(4)
    correct_sheet(
        printed,
        users["admin"],
        "Nhóm 7 in 13 điểm.",
        [{"criterion": "7", "option": 3, "points": 3}],
    )
    client.force_login(users["admin"])

    response = client.get(reverse("evaluation:sheet-detail", args=[printed.pk]))

    content = response.content.decode()
    assert "Đây là phiên bản 1, đã được thay bằng phiên bản 2" in content
    assert 'id="sheet-correct"' not in content
    assert re.findall(
        r'<ul class="mb-0 ps-3 version-differences"><li>(.*?)</li>', content
    ) == ["Tiêu chí 7, phương án 3 “Có trên 2 chỉ tiêu”: 13 → 3 điểm."]
    assert re.findall(
        r'<ul class="mb-0 ps-3 version-reasons"><li>(.*?)</li>', content
    ) == [
        "Tiêu chí 7, phương án 3 “Có trên 2 chỉ tiêu”: 13 → 3 điểm. Lý do: Nhóm 7 "
        "in 13 điểm."
    ]
    assert "hiệu chỉnh bởi Nguyễn Văn" in content


def test_sheet_detail_reads_in_few_queries(
    client, some, users, django_assert_max_num_queries
):
    url = reverse("evaluation:sheet-detail", args=[sheet_of(11).pk])
    client.force_login(users["province"])

    with django_assert_max_num_queries(13):
        response = client.get(url)

    assert response.status_code == 200


# -- forbidden to everyone but administrators ---------------------------------------


@pytest.mark.parametrize("role", ["province", "district", "commune", "member"])
def test_sheet_import_is_forbidden_to_other_roles(client, users, role, criteria):
    client.force_login(users[role])

    page = client.get(reverse("evaluation:sheet-import"))
    posted = upload(client, criteria)

    assert (page.status_code, posted.status_code) == (403, 403)
    assert ScoringSheet.objects.count() == 0


def test_sheet_import_preview_and_commit_are_forbidden_to_province_staff(
    client, users, criteria
):
    client.force_login(users["admin"])
    url = preview_url(upload(client, criteria))
    client.force_login(users["province"])

    page = client.get(url)
    commit = client.post(url, {"digest": "x"})

    assert (page.status_code, commit.status_code) == (403, 403)
    assert ScoringSheet.objects.count() == 0


def test_sheet_import_preview_of_another_administrators_upload_is_not_theirs(
    client, users, criteria
):
    client.force_login(users["admin"])
    url = preview_url(upload(client, criteria))
    client.force_login(UserFactory(username="s.quantri2", role=Role.ADMINISTRATOR))

    commit = client.post(url, {"digest": "x"})

    assert commit.status_code == 302
    assert commit["Location"] == reverse("evaluation:sheet-import")
    assert ScoringSheet.objects.count() == 0


@pytest.mark.parametrize("role", ["province", "district", "commune", "member"])
def test_sheet_correct_is_forbidden_to_other_roles_and_changes_nothing(
    client, some, users, role
):
    sheet = sheet_of(21)
    client.force_login(users[role])
    url = reverse("evaluation:sheet-correct", args=[sheet.pk])

    page = client.get(url)
    posted = client.post(url, {f"m{sheet.criteria.get(code='2.3').pk}": "2"})

    assert (page.status_code, posted.status_code) == (403, 403)
    assert ScoringSheet.objects.filter(product_set__number=21).count() == 1


# -- importing -----------------------------------------------------------------------


def test_sheet_import_previews_the_fixture_then_writes_it_in_one_go(
    client, users, criteria
):
    load_rulebooks()
    client.force_login(users["admin"])

    url = preview_url(upload(client, criteria, name="ocop-criteria-26-2026.json"))
    preview = client.get(url)

    content = preview.content.decode()
    assert ScoringSheet.objects.count() == 0
    assert [
        text_of(content, f"count-{key}")
        for key in ("new", "changed", "unchanged", "invalid")
    ] == ["26", "0", "0", "22"]
    assert (
        "Ấn bản <strong>26-2026</strong>, đọc từ căn cứ pháp lý ghi trong tệp: "
        "26/2026/QĐ-TTg." in content
    )
    assert row(content, "preview-11").startswith(
        "11 Chè tươi, chè chế biến Mới phiên bản 1 Không đạt"
    )
    assert NOTE_148 in content

    digest = re.search(r'name="digest" value="([0-9a-f]+)"', content)[1]
    commit = client.post(url, {"digest": digest})

    assert commit.status_code == 302
    assert commit["Location"] == reverse("evaluation:sheet-list") + "?edition=26-2026"
    assert ScoringSheet.objects.filter(edition="26-2026").count() == 26
    assert ScoringSheet.objects.filter(is_valid=False).count() == 22
    assert (
        AuditEntry.objects.filter(
            action="evaluation.sheet.loaded", actor=users["admin"]
        ).count()
        == 26
    )
    followed = client.get(commit["Location"])
    assert (
        "Đã nhập ấn bản 26-2026 từ tệp ocop-criteria-26-2026.json: 26 phiếu mới hoặc "
        "phiên bản mới, 0 phiếu không đổi, 22 phiếu không đạt kiểm tra."
    ) in followed.content.decode()
    assert client.get(url).status_code == 302


def test_sheet_import_of_the_same_file_again_changes_nothing(
    client, users, criteria, lai_chau
):
    load_scoring_sheets()
    correct_sheet(
        sheet_of(21),
        users["admin"],
        "Thêm phương án.",
        [
            {"criterion": "2.3", "add_option": {"text": "Không", "points": 0}},
            {"criterion": "2.3", "add_option": {"text": "Có", "points": 1}},
        ],
    )
    client.force_login(users["admin"])

    url = preview_url(upload(client, criteria))
    preview = client.get(url)
    commit = client.post(url, {"digest": "ignored"})

    content = preview.content.decode()
    assert [
        text_of(content, f"count-{key}") for key in ("new", "changed", "unchanged")
    ] == ["0", "0", "26"]
    assert 'id="sheet-import-commit"' not in content
    assert 'id="sheet-import-nothing"' in content
    assert row(content, "preview-21").startswith(
        "21 Thủ công mỹ nghệ Không đổi giống phiên bản 1"
    )
    assert commit.status_code == 302
    assert ScoringSheet.objects.count() == 27
    assert sheet_of(21).version == 2


def test_sheet_import_of_a_changed_file_makes_a_new_version_and_says_what_changed(
    client, users, criteria, lai_chau
):
    load_scoring_sheets()
    changed = copy.deepcopy(criteria)
    honey = changed["product_sets"][3]
    honey["criteria"][6]["options"][2]["points"] = 3
    client.force_login(users["admin"])

    url = preview_url(upload(client, changed, name="tieu-chi-sua.json"))
    content = client.get(url).content.decode()
    digest = re.search(r'name="digest" value="([0-9a-f]+)"', content)[1]
    client.post(url, {"digest": digest})

    assert row(content, "preview-4") == (
        "4 Mật ong, mật khác và nông sản thực phẩm khác Thay đổi (phiên bản mới) "
        "phiên bản 2, thay phiên bản 1 Không đạt "
        "1.2 : Phương án “Không được cấp giấy chứng nhận chất lượng” để trống điểm. "
        "2 : Điểm tối đa in là 10 nhưng phương án cao nhất cho 9. 2.4 : Tiêu chí "
        "không có phương án nào để chọn. 2.4 : Điểm tối đa in là 1 nhưng phương án "
        "cao nhất cho 0. Phần A cộng được 39 điểm, phải là 40. Khác phiên bản đang "
        "có: Tiêu chí 7, phương án 3 “Có trên 2 chỉ tiêu”: 13 → 3 điểm."
    )
    new = sheet_of(4)
    assert (new.version, new.supersedes.version, new.corrected_by) == (
        2,
        1,
        users["admin"],
    )
    assert new.correction_reason == (
        "Nhập lại từ tệp tieu-chi-sua.json.\n"
        "Tiêu chí 7, phương án 3 “Có trên 2 chỉ tiêu”: 13 → 3 điểm."
    )
    assert ScoringSheet.objects.count() == 27


def test_sheet_import_commit_is_refused_when_the_sheets_changed_since_the_preview(
    client, users, criteria, lai_chau
):
    client.force_login(users["admin"])
    url = preview_url(upload(client, criteria))
    content = client.get(url).content.decode()
    digest = re.search(r'name="digest" value="([0-9a-f]+)"', content)[1]
    load_scoring_sheets(numbers={26})

    commit = client.post(url, {"digest": digest}, follow=True)

    assert (
        "Phiếu chấm đã thay đổi từ lúc xem trước; hãy xem lại bản xem trước rồi ghi."
        in commit.content.decode()
    )
    assert ScoringSheet.objects.count() == 1


def test_sheet_import_takes_the_edition_from_the_form_when_the_file_names_none(
    client, users, criteria
):
    unnamed = {k: v for k, v in criteria.items() if k != "legal_basis"}
    client.force_login(users["admin"])

    url = preview_url(upload(client, unnamed, edition="27-2027"))
    content = client.get(url).content.decode()

    assert text_of(content, "preview-edition") == ("Ấn bản <strong>27-2027")
    assert "theo ô nhập (tệp không ghi căn cứ pháp lý)" in content


def test_sheet_import_refuses_a_file_without_legal_basis_or_edition(
    client, users, criteria
):
    unnamed = {k: v for k, v in criteria.items() if k != "legal_basis"}
    client.force_login(users["admin"])

    response = upload(client, unnamed)

    assert response.status_code == 200
    assert field_errors(response.content.decode(), "file") == [
        "Tệp không ghi căn cứ pháp lý (“legal_basis”, ví dụ “26/2026/QĐ-TTg”): hãy "
        "nhập ấn bản phiếu chấm, ví dụ 26-2026."
    ]


def test_sheet_import_refuses_a_file_that_is_not_json(client, users):
    client.force_login(users["admin"])

    response = upload(client, b"PK\x03\x04\x14\x00\x08\x00\xb5\xe3", name="ds.xlsx")

    assert field_errors(response.content.decode(), "file") == [
        "Tệp không phải văn bản UTF-8, nên không phải tệp tiêu chí JSON."
    ]
    assert ScoringSheet.objects.count() == 0


def test_sheet_import_refuses_broken_json_saying_where(client, users):
    client.force_login(users["admin"])

    response = upload(client, b'{"product_sets": [\n  {"number": 1,}\n]}')

    assert field_errors(response.content.decode(), "file") == [
        "Tệp không phải JSON: lỗi ở dòng 2, cột 16."
    ]


def test_sheet_import_refuses_json_of_another_structure(client, users):
    client.force_login(users["admin"])

    response = upload(client, [{"number": 1}])

    assert field_errors(response.content.decode(), "file") == [
        "Tệp không có cấu trúc của tệp tiêu chí: cần một đối tượng JSON có danh sách "
        "“product_sets” (các bộ sản phẩm)."
    ]


def test_sheet_import_refuses_a_file_missing_sets(client, users, criteria):
    partial = copy.deepcopy(criteria)
    partial["product_sets"] = [
        item for item in partial["product_sets"] if item["number"] not in (5, 26)
    ]
    client.force_login(users["admin"])

    response = upload(client, partial)

    assert field_errors(response.content.decode(), "file") == [
        "Tệp thiếu phiếu của bộ sản phẩm 5, 26 (cần đủ 26 bộ)."
    ]
    assert ScoringSheet.objects.count() == 0


def test_sheet_import_refuses_a_sheet_without_parts(client, users, criteria):
    broken = copy.deepcopy(criteria)
    broken["product_sets"][2]["criteria"] = []
    broken["product_sets"][5]["criteria"] = [
        c for c in broken["product_sets"][5]["criteria"] if c["part"] != "C"
    ]
    client.force_login(users["admin"])

    response = upload(client, broken)

    assert field_errors(response.content.decode(), "file") == [
        "Phiếu của bộ sản phẩm 3 không có phần nào (không có tiêu chí).",
        "Phiếu của bộ sản phẩm 6 không có phần C.",
    ]
    assert ScoringSheet.objects.count() == 0


# -- correcting ----------------------------------------------------------------------


def correction_post(sheet, **values):
    """The correction form as the page posts it untouched, with ``values`` typed in
    (field names as the form's: ``m<criterion>``, ``p<option>``, ``r<criterion>``)."""
    data = {}
    for criterion in sheet.criteria.all():
        data[f"m{criterion.pk}"] = (
            "" if criterion.max_points is None else str(criterion.max_points)
        )
        data[f"r{criterion.pk}"] = ""
    for option in Option.objects.filter(criterion__sheet=sheet):
        data[f"p{option.pk}"] = "" if option.points is None else str(option.points)
    data.update(values)
    return data


def test_sheet_correct_adds_the_missing_options_and_makes_the_sheet_scoreable(
    client, some, users
):
    sheet = sheet_of(21)
    bilingual = sheet.criteria.get(code="2.3").pk
    client.force_login(users["admin"])

    response = client.post(
        reverse("evaluation:sheet-correct", args=[sheet.pk]),
        correction_post(
            sheet,
            **{
                f"a{bilingual}_1_text": "Không sử dụng song ngữ",
                f"a{bilingual}_1_points": "0",
                f"a{bilingual}_2_text": "Có sử dụng song ngữ",
                f"a{bilingual}_2_points": "1",
                f"r{bilingual}": "Văn bản không in phương án.",
            },
        ),
    )

    corrected = sheet_of(21)
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "evaluation:sheet-detail", args=[corrected.pk]
    )
    assert (corrected.version, corrected.is_valid, corrected.problems) == (2, True, [])
    assert (corrected.supersedes, corrected.corrected_by) == (sheet, users["admin"])
    assert corrected.correction_reason == (
        "Tiêu chí 2.3: thêm phương án “Không sử dụng song ngữ” (0 điểm); Tiêu chí "
        "2.3: thêm phương án “Có sử dụng song ngữ” (1 điểm). Lý do: Văn bản không in "
        "phương án."
    )
    entry = AuditEntry.objects.get(action="evaluation.sheet.corrected")
    assert (entry.actor, entry.object_id, entry.from_state, entry.to_state) == (
        users["admin"],
        str(corrected.pk),
        "v1",
        "v2",
    )
    assert entry.data["is_valid"] is True
    page = client.get(response["Location"]).content.decode()
    assert "Đã ghi phiên bản 2. Phiếu đạt kiểm tra và dùng được để chấm điểm." in page
    assert (
        Option.objects.filter(criterion__sheet=sheet, criterion__code="2.3").count()
        == 0
    )


def test_sheet_correct_lists_each_change_with_its_reason(client, some, users):
    sheet = sheet_of(4)
    blank = Option.objects.get(
        criterion__sheet=sheet, criterion__code="1.2", points__isnull=True
    )
    nutrition = Option.objects.get(criterion__sheet=sheet, criterion__code="7", order=3)
    group_2 = sheet.criteria.get(code="2").pk
    client.force_login(users["admin"])

    client.post(
        reverse("evaluation:sheet-correct", args=[sheet.pk]),
        correction_post(
            sheet,
            **{
                f"p{blank.pk}": "0",
                f"r{blank.criterion_id}": "Các bộ khác cho 0 điểm.",
                f"p{nutrition.pk}": "3",
                f"r{nutrition.criterion_id}": "Vượt điểm tối đa 3.",
                f"m{group_2}": "9",
                f"r{group_2}": "Các tiêu chí cộng được 9.",
            },
        ),
    )

    corrected = sheet_of(4)
    assert corrected.correction_reason.splitlines() == [
        "Tiêu chí 1.2, phương án 1 “Không được cấp giấy chứng nhận chất lượng”: "
        "trống → 0 điểm. Lý do: Các bộ khác cho 0 điểm.",
        "Tiêu chí 2: điểm tối đa 10 → 9. Lý do: Các tiêu chí cộng được 9.",
        "Tiêu chí 7, phương án 3 “Có trên 2 chỉ tiêu”: 13 → 3 điểm. Lý do: Vượt điểm "
        "tối đa 3.",
    ]
    assert [(p["criterion"], p["message"]) for p in corrected.problems] == [
        ("2.4", "Tiêu chí không có phương án nào để chọn."),
        ("2.4", "Điểm tối đa in là 1 nhưng phương án cao nhất cho 0."),
        ("", "Phần A cộng được 39 điểm, phải là 40."),
    ]
    assert corrected.is_valid is False


def test_sheet_correct_without_a_reason_is_refused_at_the_criterion(
    client, some, users
):
    sheet = sheet_of(4)
    nutrition = Option.objects.get(criterion__sheet=sheet, criterion__code="7", order=3)
    client.force_login(users["admin"])

    response = client.post(
        reverse("evaluation:sheet-correct", args=[sheet.pk]),
        correction_post(sheet, **{f"p{nutrition.pk}": "3"}),
    )

    content = response.content.decode()
    assert response.status_code == 400
    assert "Cần ghi lý do cho thay đổi ở tiêu chí 7." in content
    assert ScoringSheet.objects.filter(product_set__number=4).count() == 1


def test_sheet_correct_with_nothing_changed_is_refused(client, some, users):
    sheet = sheet_of(4)
    client.force_login(users["admin"])

    response = client.post(
        reverse("evaluation:sheet-correct", args=[sheet.pk]), correction_post(sheet)
    )

    assert response.status_code == 400
    assert "Chưa có thay đổi nào." in response.content.decode()
    assert ScoringSheet.objects.filter(product_set__number=4).count() == 1


def test_sheet_correct_of_an_old_version_is_refused(client, some, users):
    printed = sheet_of(4)
    correct_sheet(
        printed, users["admin"], "Sửa.", [{"criterion": "7", "option": 3, "points": 3}]
    )
    nutrition = Option.objects.get(
        criterion__sheet=printed, criterion__code="7", order=3
    )
    client.force_login(users["admin"])

    response = client.post(
        reverse("evaluation:sheet-correct", args=[printed.pk]),
        correction_post(
            printed,
            **{f"p{nutrition.pk}": "2", f"r{nutrition.criterion_id}": "Lần nữa."},
        ),
        follow=True,
    )

    assert (
        "Phiếu này đã có phiên bản mới hơn; hãy hiệu chỉnh phiên bản mới nhất."
        in response.content.decode()
    )
    assert ScoringSheet.objects.filter(product_set__number=4).count() == 2


def test_sheet_correct_offers_the_known_corrections_filled_in(client, some, users):
    sheet = sheet_of(11)
    client.force_login(users["admin"])
    url = reverse("evaluation:sheet-correct", args=[sheet.pk])

    page = client.get(url, {"proposed": "1"})

    form = page.context["form"]
    blank = Option.objects.get(
        criterion__sheet=sheet, criterion__code="1.2", points__isnull=True
    )
    impurity = Option.objects.get(
        criterion__sheet=sheet, criterion__code="6.1.1", order=2
    )
    bilingual = sheet.criteria.get(code="2.4").pk
    assert form.initial[f"p{blank.pk}"] == 0
    assert form.initial[f"p{impurity.pk}"] == 1
    assert (
        form.initial[f"a{bilingual}_1_text"],
        form.initial[f"a{bilingual}_2_text"],
    ) == ("Không sử dụng song ngữ", "Có sử dụng song ngữ")

    data = correction_post(sheet)
    for name in form.fields:
        value = form.initial.get(name, form.fields[name].initial)
        data[name] = "" if value is None else str(value)
    response = client.post(url, data)

    corrected = sheet_of(11)
    assert response.status_code == 302
    assert (corrected.version, corrected.is_valid) == (2, True)
    assert corrected.correction_reason.count("\n") == 2


# -- the 2023 rulebook scores on the 2026 sheets, and says so -----------------------


def test_scoring_page_of_a_148_evaluation_says_it_scores_on_the_2026_sheets(
    client, lai_chau
):
    meeting = Meeting()
    client.force_login(meeting.scorers()[0])

    response = client.get(
        reverse("evaluation:evaluation-score", args=[meeting.evaluation.pk])
    )

    content = response.content.decode()
    assert meeting.evaluation.rulebook.code == "148-2023"
    assert (
        '<div class="alert alert-secondary py-2 small">Chưa có văn bản phiếu chấm '
        "của Quyết định 148/QĐ-TTg: quy định năm 2023 chấm trên phiếu của Quyết định "
        "26/2026/QĐ-TTg.</div>" in content
    )


def test_sheet_import_refuses_a_file_over_10_mb_unread(client, users):
    client.force_login(users["admin"])

    response = upload(client, b" " * (10 * 1024 * 1024 + 1))

    assert field_errors(response.content.decode(), "file") == [
        "Tệp lớn hơn 10 MB; tệp tiêu chí chỉ khoảng 1 MB."
    ]


# -- files and editions refused, names kept ------------------------------------------


def test_sheet_import_refuses_deeply_nested_json_in_vietnamese(client, users):
    client.force_login(users["admin"])

    response = upload(client, b"[" * 100_000, name="sau.json")

    assert response.status_code == 200
    assert field_errors(response.content.decode(), "file") == [
        "Tệp lồng nhau quá 32 cấp; tệp tiêu chí chỉ lồng khoảng 12 cấp, nên đây "
        "không phải tệp tiêu chí."
    ]
    assert ScoringSheet.objects.count() == 0


def test_sheet_import_refuses_a_malformed_edition_at_the_edition_field(
    client, users, criteria
):
    unnamed = {k: v for k, v in criteria.items() if k != "legal_basis"}
    client.force_login(users["admin"])

    response = upload(client, unnamed, edition="<b>x</b>../..")

    content = response.content.decode()
    assert response.status_code == 200
    assert field_errors(content, "file") == []
    assert field_errors(content, "edition") == [
        "Ấn bản “&lt;b&gt;x&lt;/b&gt;../..” không đúng dạng: cần số và năm của quyết "
        "định ban hành phiếu chấm, nối bằng dấu gạch ngang (năm từ 2018 đến "
        f"{date.today().year + 1}), ví dụ 26-2026 hoặc 148-2023."
    ]
    assert "<b>x</b>" not in content


def test_sheet_import_of_a_new_edition_asks_for_confirmation_before_writing(
    client, users, criteria
):
    load_rulebooks()
    unnamed = {k: v for k, v in criteria.items() if k != "legal_basis"}
    client.force_login(users["admin"])
    url = preview_url(upload(client, unnamed, edition="27-2027"))
    content = client.get(url).content.decode()
    digest = re.search(r'name="digest" value="([0-9a-f]+)"', content)[1]

    refused = client.post(url, {"digest": digest}, follow=True)
    written = client.post(url, {"digest": digest, "new_edition": "1"})

    assert text_of(content, "sheet-import-new-edition").startswith(
        "Ấn bản 27-2027 chưa có: không quy định nào dùng ấn bản này"
    )
    assert 'name="new_edition" value="1" id="confirm-new-edition" required' in content
    assert "Ghi sẽ tạo một bộ 26 phiếu riêng" in refused.content.decode()
    assert written.status_code == 302
    assert ScoringSheet.objects.filter(edition="27-2027").count() == 26


def test_sheet_import_of_the_rulebooks_edition_asks_no_confirmation(
    client, users, criteria
):
    load_rulebooks()
    unnamed = {k: v for k, v in criteria.items() if k != "legal_basis"}
    client.force_login(users["admin"])

    content = client.get(preview_url(upload(client, unnamed, edition="26-2026")))

    assert 'id="sheet-import-new-edition"' not in content.content.decode()
    assert 'id="confirm-new-edition"' not in content.content.decode()


def test_sheet_import_preview_names_the_set_as_the_registry_does(
    client, some, users, criteria
):
    renamed = copy.deepcopy(criteria)
    renamed["product_sets"][3]["name"] = "<script>alert(1)</script>"
    client.force_login(users["admin"])

    content = client.get(preview_url(upload(client, renamed))).content.decode()

    assert row(content, "preview-4").startswith(
        "4 Mật ong, mật khác và nông sản thực phẩm khác Tệp ghi tên bộ là "
        "“&lt;script&gt;alert(1)&lt;/script&gt;”; tên bộ sản phẩm theo danh mục, "
        "nhập phiếu không đổi tên. Không đổi giống phiên bản 1"
    )
    assert "<script>alert" not in content
    assert text_of(content, "count-unchanged") == "7"
    assert ProductSet.objects.get(number=4).name == (
        "Mật ong, mật khác và nông sản thực phẩm khác"
    )


# -- a correction keeps a passing sheet passing -------------------------------------


def test_sheet_correct_that_would_make_a_passing_sheet_fail_is_refused_at_the_form(
    client, some, users
):
    sheet = sheet_of(26)
    energy = sheet.criteria.get(code="1.4")
    second = Option.objects.get(criterion=energy, order=2)
    client.force_login(users["admin"])

    response = client.post(
        reverse("evaluation:sheet-correct", args=[sheet.pk]),
        correction_post(
            sheet,
            **{
                f"p{second.pk}": "3",
                f"m{energy.pk}": "3",
                f"r{energy.pk}": "Thêm một điểm.",
            },
        ),
    )

    form = response.context["form"]
    assert response.status_code == 400
    assert form.non_field_errors() == [
        "Phiên bản 1 đạt kiểm tra và đang dùng để chấm; hiệu chỉnh này làm phiếu "
        "không đạt kiểm tra nên không được ghi. Các kiểm tra sẽ không đạt:",
        "Tiêu chí 1: Điểm tối đa in là 14 nhưng phương án cao nhất cho 15.",
        "Phần A cộng được 41 điểm, phải là 40.",
    ]
    group = sheet.criteria.get(code="1")
    assert form.errors[f"m{group.pk}"] == [
        "Điểm tối đa in là 14 nhưng phương án cao nhất cho 15."
    ]
    assert "Phần A cộng được 41 điểm, phải là 40." in response.content.decode()
    assert ScoringSheet.objects.filter(product_set__number=26).count() == 1


def test_sheet_correct_of_a_failing_sheet_may_leave_it_failing(client, some, users):
    sheet = sheet_of(4)
    nutrition = Option.objects.get(criterion__sheet=sheet, criterion__code="7", order=3)
    client.force_login(users["admin"])

    response = client.post(
        reverse("evaluation:sheet-correct", args=[sheet.pk]),
        correction_post(
            sheet,
            **{f"p{nutrition.pk}": "3", f"r{nutrition.criterion_id}": "Nhóm 7."},
        ),
    )

    corrected = sheet_of(4)
    assert response.status_code == 302
    assert (corrected.version, corrected.is_valid) == (2, False)


def test_sheet_correct_refuses_a_reason_over_1000_characters_at_the_field(
    client, some, users
):
    sheet = sheet_of(4)
    nutrition = Option.objects.get(criterion__sheet=sheet, criterion__code="7", order=3)
    client.force_login(users["admin"])
    page = client.get(reverse("evaluation:sheet-correct", args=[sheet.pk]))

    response = client.post(
        reverse("evaluation:sheet-correct", args=[sheet.pk]),
        correction_post(
            sheet,
            **{
                f"p{nutrition.pk}": "3",
                f"r{nutrition.criterion_id}": "Vượt điểm tối đa. " * 133,
            },
        ),
    )

    assert re.search(
        rf'<input [^>]*name="r{nutrition.criterion_id}"[^>]* maxlength="1000"',
        page.content.decode(),
    )
    assert response.status_code == 400
    assert response.context["form"].errors[f"r{nutrition.criterion_id}"] == [
        "Lý do chỉ được dài tối đa 1000 ký tự (đang có 2393); hãy ghi ngắn gọn."
    ]
    assert ScoringSheet.objects.filter(product_set__number=4).count() == 1


# -- which versions the list shows, and which one councils score on -----------------


@pytest.fixture
def corrected(some, users):
    """The known corrections of the failing sheets among ``SOME``: version 1 of
    sets 1, 4, 7, 11, 21 and 22 fail, their version 2 passes."""
    sets = {ps.number: ps for ps in ProductSet.objects.filter(number__in=SOME)}
    apply_known_corrections(users["admin"], sets, numbers=SOME)


def test_sheet_list_filter_of_failing_sheets_says_it_reads_the_newest_version(
    client, corrected, users
):
    client.force_login(users["province"])

    response = client.get(reverse("evaluation:sheet-list"), {"validity": "invalid"})

    content = response.content.decode()
    assert "Chưa có phiếu chấm nào." not in content
    assert block_text(content, "no-sheets", "div") == (
        "Không có phiếu nào mà phiên bản mới nhất không đạt kiểm tra: mọi phiếu đều "
        "chấm được. Có 6 phiên bản cũ không đạt kiểm tra, đã được thay bằng phiên bản "
        "mới. Xem cả các phiên bản cũ"
    )
    assert 'href="?validity=invalid&amp;versions=all" id="show-all-versions"' in (
        content
    )


def test_sheet_list_of_all_versions_shows_the_superseded_failing_ones(
    client, corrected, users, django_assert_max_num_queries
):
    client.force_login(users["province"])

    with django_assert_max_num_queries(8):
        response = client.get(
            reverse("evaluation:sheet-list"),
            {"validity": "invalid", "versions": "all"},
        )

    content = response.content.decode()
    assert re.findall(r'<tr id="sheet-26-2026-([\d-]+)-v(\d)"', content) == [
        ("1", "1"),
        ("4", "1"),
        ("7", "1"),
        ("11", "1"),
        ("21", "1"),
        ("22", "1"),
    ]
    assert row(content, "sheet-26-2026-4-v1").startswith(
        "4 Mật ong, mật khác và nông sản thực phẩm khác 1 (đã thay bằng phiên bản 2) "
        "Không đạt phiên bản 2 1.2 :"
    )
    assert text_of(content, "filter-scope") == (
        "Kết quả kiểm tra của mọi phiên bản, kể cả phiên bản cũ đã được thay."
    )


def test_sheet_list_and_detail_say_which_version_councils_score_on(
    client, corrected, users, criteria
):
    changed = copy.deepcopy(criteria)
    changed["product_sets"][3]["criteria"][0]["criteria"][6]["options"][1]["points"] = 2
    read = read_criteria_file(json.dumps(changed).encode(), name="tieu-chi-loi.json")
    import_scoring_sheets(read, actor=users["admin"], numbers={4})
    client.force_login(users["member"])

    listing = client.get(reverse("evaluation:sheet-list")).content.decode()
    newest = client.get(reverse("evaluation:sheet-detail", args=[sheet_of(4).pk]))
    scored = ScoringSheet.objects.get(product_set__number=4, version=2)

    assert row(listing, "sheet-26-2026-4").startswith(
        "4 Mật ong, mật khác và nông sản thực phẩm khác 3 (3 phiên bản) Không đạt "
        "phiên bản 2"
    )
    assert row(listing, "sheet-26-2026-26").startswith(
        "26 Dịch vụ du lịch cộng đồng, du lịch sinh thái và điểm du lịch 1 Đạt "
        "phiên bản 1"
    )
    content = newest.content.decode()
    assert block_text(content, "sheet-scored-on", "p") == (
        "Hội đồng chấm trên phiên bản 2, phiên bản mới nhất đạt kiểm tra. Xem phiên "
        "bản 2 Sản phẩm đã vào đợt đánh giá giữ phiên bản của lúc được đưa vào."
    )
    assert f'href="{reverse("evaluation:sheet-detail", args=[scored.pk])}"' in content
    page = client.get(reverse("evaluation:sheet-detail", args=[scored.pk]))
    assert block_text(page.content.decode(), "sheet-scored-on", "p") == (
        "Hội đồng chấm trên phiên bản này (phiên bản 2, mới nhất đạt kiểm tra). Sản "
        "phẩm đã vào đợt đánh giá giữ phiên bản của lúc được đưa vào."
    )
    assert 'id="version-scored"' in page.content.decode()
