"""``manage.py import_registrations`` and the demo's one-time import."""

import datetime
import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from ocop.models import AuditEntry
from registry.enums import ImportStatus
from registry.importer import import_once
from registry.models import ImportBatch, Producer, Registration

from .conftest import REGISTRATION_XLSX


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


def test_import_command_json_of_a_refused_file_says_why(lai_chau, tmp_path):
    path = tmp_path / "anh.xlsx"
    path.write_bytes(b"\xff\xd8\xff\xe0" + b"\x00" * 64)
    out = StringIO()

    with pytest.raises(CommandError):
        call_command("import_registrations", str(path), "--json", stdout=out)

    assert json.loads(out.getvalue()) == {
        "refused": "Tệp này là một tệp ảnh, không phải bảng tính Excel (.xlsx).",
        "committed": False,
    }


def test_import_command_refuses_a_missing_file(lai_chau, tmp_path):
    with pytest.raises(CommandError) as error:
        _run(tmp_path / "khong-co.xlsx")

    assert str(error.value) == f"Không có tệp {tmp_path / 'khong-co.xlsx'}."


def test_import_once_imports_the_demo_list_a_single_time(lai_chau):
    first = import_once(REGISTRATION_XLSX, lai_chau, year=2023)
    second = import_once(REGISTRATION_XLSX, lai_chau, year=2023)

    assert first["counts"]["registrations"]["created"] == 105
    assert second is None
    assert ImportBatch.objects.count() == 1
