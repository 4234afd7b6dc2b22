"""``manage.py import_registrations`` and the demo's one-time import."""

import datetime
import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from ocop.models import AuditEntry
from registry.enums import ImportStatus
from registry.importer import ImportRefused, import_once, preview_file
from registry.models import ImportBatch, Producer, Registration

from .conftest import REGISTRATION_XLSX
from .import_helpers import sheet_rows, write_workbook

OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # a legacy .xls starts so


def _run(*args):
    out = StringIO()
    call_command("import_registrations", *map(str, args), stdout=out)
    return out.getvalue()


def test_import_command_previews_without_writing(lai_chau):
    output = _run(REGISTRATION_XLSX)

    assert "Đăng ký            105         0           0" in output
    assert "Chủ thể             57         0           0" in output
    assert output.rstrip().endswith("Chưa ghi gì: thêm --commit để ghi.")
    assert Registration.objects.count() == 0
    assert ImportBatch.objects.count() == 0


def test_import_command_json_has_counts_and_located_issues(lai_chau):
    preview = json.loads(_run(REGISTRATION_XLSX, "--json"))

    assert preview["committed"] is False
    assert preview["counts"] == {
        "producers": {"created": 57, "updated": 0, "unchanged": 0},
        "products": {"created": 105, "updated": 0, "unchanged": 0},
        "registrations": {"created": 105, "updated": 0, "unchanged": 0},
    }
    assert {
        "level": "warning",
        "sheet": "Danh sach OCOP 2023",
        "row": 111,
        "message": "Không tìm thấy xã, phường, thị trấn nào trong địa chỉ «Bản Bum "
        "Nura, xã Bum Nura» của chủ thể «HTX Thắng Tuế».",
    } in preview["issues"]
    assert all(issue["sheet"] for issue in preview["issues"])


def test_import_command_commit_writes_and_records_the_batch(lai_chau):
    output = _run(REGISTRATION_XLSX, "--commit")

    assert "Đã ghi vào cơ sở dữ liệu." in output
    assert Registration.objects.filter(year=2023).count() == 105
    batch = ImportBatch.objects.get()
    assert (batch.status, batch.year, batch.original_name) == (
        ImportStatus.COMMITTED,
        2023,
        REGISTRATION_XLSX.name,
    )
    assert batch.summary["counts"]["producers"]["created"] == 57
    assert Registration.objects.filter(import_batch=batch).count() == 105
    entry = AuditEntry.objects.get(action="registry.import.committed")
    assert (entry.object_id, entry.to_state, entry.data["year"]) == (
        str(batch.pk),
        ImportStatus.COMMITTED,
        2023,
    )


def test_import_command_second_commit_changes_nothing(lai_chau):
    _run(REGISTRATION_XLSX, "--commit")

    preview = json.loads(_run(REGISTRATION_XLSX, "--commit", "--json"))

    assert preview["committed"] is True
    assert preview["counts"]["registrations"] == {
        "created": 0,
        "updated": 0,
        "unchanged": 105,
    }
    assert Producer.objects.count() == 57


def test_import_command_year_overrides_the_title(lai_chau):
    _run(REGISTRATION_XLSX, "--commit", "--year", 2024)

    assert Registration.objects.filter(year=2024).count() == 105
    assert Registration.objects.filter(year=2023).count() == 0


def test_import_command_exits_non_zero_on_a_refused_file(lai_chau, tmp_path):
    path = tmp_path / "danh-sach.csv"
    path.write_text("TT,Tên sản phẩm\n1,Mật ong\n", encoding="utf-8")

    with pytest.raises(CommandError) as error:
        _run(path, "--commit")

    assert error.value.returncode == 1
    assert str(error.value).startswith(
        "Tệp bị từ chối: Tệp này không phải bảng tính Excel (.xlsx)"
    )
    assert Registration.objects.count() == 0


def test_import_command_refuses_a_year_outside_the_programme(lai_chau):
    with pytest.raises(CommandError) as error:
        _run(REGISTRATION_XLSX, "--year", "1800", "--commit")

    assert error.value.returncode == 1
    assert str(error.value) == (
        f"Tệp bị từ chối: Năm chương trình 1800 không hợp lệ: từ 2018 đến "
        f"{datetime.date.today().year + 1}."
    )
    assert Registration.objects.count() == 0


def _run_failing(*args):
    """What the command printed, and the error it stopped with (exit status 1)."""
    out = StringIO()
    with pytest.raises(CommandError) as error:
        call_command("import_registrations", *map(str, args), stdout=out)
    assert error.value.returncode == 1
    return out.getvalue(), str(error.value)


def test_import_command_json_of_a_refused_file_says_why(lai_chau, tmp_path):
    path = tmp_path / "anh.xlsx"
    path.write_bytes(b"\xff\xd8\xff\xe0" + b"\x00" * 64)

    output, error = _run_failing(path, "--json")

    reason = "Tệp này là một tệp ảnh, không phải bảng tính Excel (.xlsx)."
    assert json.loads(output) == {
        "refused": reason,
        "error": f"Tệp bị từ chối: {reason}",
        "committed": False,
    }
    assert error == f"Tệp bị từ chối: {reason}"


def test_import_command_refuses_a_missing_file(lai_chau, tmp_path):
    output, error = _run_failing(tmp_path / "khong-co.xlsx")

    assert output == ""
    assert error == f"Không có tệp {tmp_path / 'khong-co.xlsx'}."


def test_import_command_says_a_folder_is_not_a_file(lai_chau, tmp_path):
    output, error = _run_failing(tmp_path, "--commit")

    assert output == ""
    assert error == (
        f"{tmp_path} là một thư mục, không phải tệp: hãy ghi đường dẫn của tệp "
        ".xlsx cần nhập."
    )
    assert ImportBatch.objects.count() == 0


@pytest.mark.parametrize("commit", [False, True])
def test_import_command_json_of_a_missing_file_or_folder_says_why(
    lai_chau, tmp_path, commit
):
    missing = tmp_path / "khong-co.xlsx"
    extra = ["--commit"] if commit else []

    missing_output, missing_error = _run_failing(missing, "--json", *extra)
    folder_output, folder_error = _run_failing(tmp_path, "--json", *extra)

    assert json.loads(missing_output) == {
        "error": f"Không có tệp {missing}.",
        "committed": False,
    }
    assert json.loads(folder_output) == {"error": folder_error, "committed": False}
    assert folder_error.startswith(f"{tmp_path} là một thư mục, không phải tệp")


def test_import_command_json_of_an_unknown_province_says_why(lai_chau):
    output, error = _run_failing(REGISTRATION_XLSX, "--json", "--province", "99")

    assert json.loads(output) == {
        "error": "Chưa nạp đơn vị hành chính của tỉnh mã 99.",
        "committed": False,
    }


def _with_an_error(tmp_path):
    rows = sheet_rows()
    rows.insert(6, [1, "Sản phẩm lạc", None, None, None, None])
    return write_workbook(tmp_path / "loi.xlsx", rows)


ONE_ERROR = (
    "Danh sách còn 1 lỗi; chưa ghi gì vào cơ sở dữ liệu. Hãy sửa tệp rồi chạy lại lệnh."
)


def test_import_command_commit_with_errors_says_only_why_nothing_was_written(
    lai_chau, tmp_path
):
    output, error = _run_failing(_with_an_error(tmp_path), "--commit")

    assert "1 lỗi, " in output
    assert "[LỖI] Danh sach, dòng 7: Không có tên chủ thể" in output
    assert "--commit" not in output
    assert "Chưa ghi gì" not in output
    assert error == ONE_ERROR
    assert Registration.objects.count() == 0


def test_import_command_preview_with_errors_asks_to_fix_them_first(lai_chau, tmp_path):
    output = _run(_with_an_error(tmp_path))

    assert output.rstrip().endswith(
        "Chưa ghi gì: hãy sửa các lỗi trên rồi chạy lại lệnh với --commit."
    )


def test_import_command_json_of_a_list_with_errors_has_the_error(lai_chau, tmp_path):
    output, error = _run_failing(_with_an_error(tmp_path), "--commit", "--json")

    preview = json.loads(output)
    assert (preview["error"], preview["committed"], preview["errors"]) == (
        ONE_ERROR,
        False,
        1,
    )
    # The row in error is left out: the file's 105 others are counted.
    assert preview["counts"]["registrations"]["created"] == 105
    assert error == ONE_ERROR


@pytest.mark.parametrize("commit", [False, True])
def test_import_command_words_the_xls_refusal_for_the_command_line(
    lai_chau, tmp_path, commit
):
    path = tmp_path / "danh-sach.xls"
    path.write_bytes(OLE2 + b"\x00" * 504 + "Workbook".encode("utf-16-le"))

    output, error = _run_failing(path, *(["--commit"] if commit else []))

    assert output == ""
    assert error == (
        "Tệp bị từ chối: Đây là tệp Excel cũ (.xls). Hãy mở bằng Excel, chọn «Lưu "
        "thành» kiểu Sổ làm việc Excel (.xlsx) rồi chạy lại lệnh với tệp .xlsx."
    )
    assert "tải lên" not in error


@pytest.mark.parametrize("commit", [False, True])
def test_import_command_without_a_year_asks_for_year_option(lai_chau, tmp_path, commit):
    rows = sheet_rows()
    rows[0][0] = "DANH SÁCH SẢN PHẨM ĐĂNG KÝ THAM GIA CHƯƠNG TRÌNH OCOP"
    path = write_workbook(tmp_path / "khong-nam.xlsx", rows)

    output, error = _run_failing(path, "--json", *(["--commit"] if commit else []))

    reason = (
        "Không tìm thấy năm chương trình trong tiêu đề (ví dụ «NĂM 2023»). Hãy ghi "
        "năm chương trình bằng --year, ví dụ: --year 2023."
    )
    assert json.loads(output) == {
        "refused": reason,
        "error": f"Tệp bị từ chối: {reason}",
        "committed": False,
    }
    assert "Năm chương trình 2023" not in error
    assert Registration.objects.count() == 0


def test_the_upload_page_keeps_its_own_wording_of_the_hints(lai_chau, tmp_path):
    path = tmp_path / "danh-sach.xls"
    path.write_bytes(OLE2 + b"\x00" * 504 + "Workbook".encode("utf-16-le"))

    with pytest.raises(ImportRefused) as refused:
        preview_file(path, lai_chau)

    assert refused.value.message == (
        "Đây là tệp Excel cũ (.xls). Hãy mở bằng Excel, chọn «Lưu thành» kiểu Sổ "
        "làm việc Excel (.xlsx) rồi tải lên lần nữa."
    )


def test_import_once_imports_the_demo_list_a_single_time(lai_chau):
    first = import_once(REGISTRATION_XLSX, lai_chau, year=2023)
    second = import_once(REGISTRATION_XLSX, lai_chau, year=2023)

    assert first["counts"]["registrations"]["created"] == 105
    assert second is None
    assert ImportBatch.objects.count() == 1
