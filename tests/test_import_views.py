"""The import's pages: who may use them, upload, preview, commit, result, history."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from ocop.enums import JobStatus
from registry.demo import create_demo_accounts
from registry.enums import ImportStatus, last_programme_year
from registry.models import ImportBatch, Registration, User

from .conftest import REGISTRATION_XLSX
from .import_helpers import HEADER_ROW_INDEX, sheet_rows, write_workbook


@pytest.fixture
def accounts(lai_chau, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    create_demo_accounts()
    return {user.username: user for user in User.objects.all()}


@pytest.fixture
def staff_client(client, accounts, django_capture_on_commit_callbacks):
    """Province staff, with the jobs queued on commit run as the request ends."""

    class Client:
        def __getattr__(self, name):
            return getattr(client, name)

        def post(self, *args, **kwargs):
            with django_capture_on_commit_callbacks(execute=True):
                return client.post(*args, **kwargs)

    client.force_login(accounts["tinh"])
    return Client()


def _upload(client, path=REGISTRATION_XLSX, year=""):
    upload = SimpleUploadedFile(path.name, path.read_bytes())
    return client.post(
        reverse("registry:import-upload"), {"file": upload, "year": year}
    )


def test_import_pages_send_anonymous_visitors_to_log_in(client, lai_chau):
    response = client.get(reverse("registry:import-list"))

    assert response.status_code == 302
    assert response.url.startswith("/dang-nhap/?next=")


@pytest.mark.parametrize(
    "username", ["huyen.tamduong", "xa.binhlu", "hoidong1"], ids=str
)
def test_import_pages_are_forbidden_to_other_roles(client, accounts, username):
    client.force_login(accounts[username])
    batch = ImportBatch.objects.create(
        original_name="x.xlsx", year=2023, province=accounts["tinh"].province
    )

    statuses = [
        client.get(reverse("registry:import-list")).status_code,
        client.get(reverse("registry:import-upload")).status_code,
        _upload(client).status_code,
        client.get(reverse("registry:import-detail", args=[batch.pk])).status_code,
        client.post(reverse("registry:import-commit", args=[batch.pk])).status_code,
    ]

    assert statuses == [403, 403, 403, 403, 403]
    assert Registration.objects.count() == 0


def test_import_nav_link_shows_only_to_those_allowed(client, accounts):
    client.force_login(accounts["huyen.tamduong"])
    officer_page = client.get(reverse("registry:home")).content.decode()
    client.force_login(accounts["tinh"])
    staff_page = client.get(reverse("registry:home")).content.decode()

    assert 'id="nav-import"' not in officer_page
    assert 'id="nav-import"' in staff_page


def test_import_upload_previews_without_writing(staff_client, accounts):
    response = _upload(staff_client)

    batch = ImportBatch.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("registry:import-detail", args=[batch.pk])
    assert (batch.status, batch.year, batch.created_by) == (
        ImportStatus.PREVIEWED,
        2023,
        accounts["tinh"],
    )
    assert batch.job.status == JobStatus.DONE
    assert batch.preview["counts"]["registrations"]["created"] == 105
    assert Registration.objects.count() == 0


def test_import_preview_page_shows_counts_and_located_warnings(staff_client):
    _upload(staff_client)
    batch = ImportBatch.objects.get()

    response = staff_client.get(reverse("registry:import-detail", args=[batch.pk]))

    page = response.content.decode()
    assert response.status_code == 200
    assert '<td class="text-end" id="count-registrations-created">105</td>' in page
    assert '<td class="text-end" id="count-producers-created">57</td>' in page
    assert 'id="import-commit"' in page
    assert '<td>Danh sach OCOP 2023</td>\n    <td class="text-end">111</td>' in page


def test_import_commit_writes_and_shows_the_result(staff_client, accounts):
    _upload(staff_client)
    batch = ImportBatch.objects.get()

    staff_client.post(reverse("registry:import-commit", args=[batch.pk]))
    response = staff_client.get(reverse("registry:import-detail", args=[batch.pk]))

    batch.refresh_from_db()
    page = response.content.decode()
    assert batch.status == ImportStatus.COMMITTED
    assert Registration.objects.filter(import_batch=batch).count() == 105
    assert 'id="import-done"' in page
    assert '<td class="text-end" id="count-registrations-created">105</td>' in page
    assert '<td class="text-end" id="kind-re_evaluation">39</td>' in page


def test_import_commit_twice_writes_once(staff_client):
    _upload(staff_client)
    batch = ImportBatch.objects.get()
    url = reverse("registry:import-commit", args=[batch.pk])

    staff_client.post(url)
    response = staff_client.post(url, follow=True)

    assert Registration.objects.count() == 105
    assert "Lần nhập này không thể ghi vào cơ sở dữ liệu." in response.content.decode()


def test_import_of_the_same_file_again_shows_all_unchanged(staff_client):
    _upload(staff_client)
    first = ImportBatch.objects.get()
    staff_client.post(reverse("registry:import-commit", args=[first.pk]))

    _upload(staff_client)
    second = ImportBatch.objects.exclude(pk=first.pk).get()

    assert second.preview["counts"]["registrations"] == {
        "created": 0,
        "updated": 0,
        "unchanged": 105,
    }
    assert second.preview["issues"][0]["message"].startswith(
        "Tệp này đã được ghi vào cơ sở dữ liệu lúc "
    )


def test_import_of_the_same_file_for_another_year_says_it_creates_that_year(
    staff_client,
):
    _upload(staff_client)
    first = ImportBatch.objects.get()
    staff_client.post(reverse("registry:import-commit", args=[first.pk]))

    _upload(staff_client, year="2024")
    second = ImportBatch.objects.exclude(pk=first.pk).get()

    assert second.preview["counts"]["registrations"]["created"] == 105
    message = second.preview["issues"][0]["message"]
    assert message.startswith("Tệp này đã được ghi cho năm 2023 lúc ")
    assert message.endswith(
        "; lần này là năm 2024, nên các đăng ký năm 2024 được tạo mới."
    )


def test_import_year_override_from_the_form(staff_client):
    _upload(staff_client, year="2024")
    batch = ImportBatch.objects.get()

    assert (batch.year, batch.preview["year_source"]) == (2024, "override")


@pytest.mark.parametrize(
    ("year", "message"),
    [
        ("2017", "Giá trị phải lớn hơn hoặc bằng 2018."),
        ("2100", "Giá trị phải nhỏ hơn hoặc bằng %s."),
    ],
)
def test_import_year_outside_the_programme_is_refused_at_the_field(
    staff_client, year, message
):
    last = last_programme_year()

    response = _upload(staff_client, year=year)

    assert response.status_code == 200
    assert f'max="{last}"' in response.content.decode()
    assert response.context["form"].errors["year"] == [message.replace("%s", str(last))]
    assert not ImportBatch.objects.exists()


def test_import_upload_of_a_csv_is_refused_at_the_field(staff_client, tmp_path):
    path = tmp_path / "danh-sach.csv"
    path.write_text("TT,Tên sản phẩm\n1,Mật ong\n", encoding="utf-8")

    response = _upload(staff_client, path)

    assert response.status_code == 200
    assert response.context["form"].errors["file"] == [
        "Tệp này không phải bảng tính Excel (.xlsx) (có thể là tệp CSV hoặc văn "
        "bản). Hãy mở bằng Excel và lưu lại dưới dạng .xlsx."
    ]
    assert ImportBatch.objects.count() == 0


def test_import_upload_without_header_is_refused_with_its_reason(
    staff_client, tmp_path
):
    rows = [row for index, row in enumerate(sheet_rows()) if index != HEADER_ROW_INDEX]
    path = write_workbook(tmp_path / "no-header.xlsx", rows)

    response = _upload(staff_client, path)
    page = staff_client.get(response.url).content.decode()

    batch = ImportBatch.objects.get()
    assert batch.status == ImportStatus.REFUSED
    assert 'id="import-refused"' in page
    assert "Không tìm thấy dòng tiêu đề của danh sách" in page
    assert 'id="import-commit"' not in page
    assert (
        staff_client.post(
            reverse("registry:import-commit", args=[batch.pk])
        ).status_code
        == 302
    )
    assert Registration.objects.count() == 0


def test_import_progress_asks_htmx_to_reload_once_the_job_is_over(staff_client):
    _upload(staff_client)
    batch = ImportBatch.objects.get()

    response = staff_client.get(
        reverse("registry:import-progress", args=[batch.pk]), HTTP_HX_REQUEST="true"
    )

    assert response.status_code == 204
    assert response["HX-Refresh"] == "true"


def test_import_progress_shows_a_running_job(staff_client):
    _upload(staff_client)
    batch = ImportBatch.objects.get()
    batch.job.status = JobStatus.RUNNING
    batch.job.progress_done, batch.job.progress_total = 40, 128
    batch.job.save()

    response = staff_client.get(reverse("registry:import-progress", args=[batch.pk]))

    page = response.content.decode()
    assert response.status_code == 200
    assert "dòng 40 trên 128" in page
    assert 'hx-trigger="every 1s"' in page


def test_import_list_shows_past_imports_in_few_queries(
    staff_client, django_assert_max_num_queries
):
    for _ in range(3):
        _upload(staff_client)

    with django_assert_max_num_queries(8):
        response = staff_client.get(reverse("registry:import-list"))

    assert [batch.pk for batch in response.context["batches"]] == list(
        ImportBatch.objects.order_by("-created_at", "-id").values_list("pk", flat=True)
    )
    assert response.content.decode().count(REGISTRATION_XLSX.name) == 3


def test_import_preview_speaks_the_language_of_who_uploaded(staff_client, tmp_path):
    rows = [row for index, row in enumerate(sheet_rows()) if index != HEADER_ROW_INDEX]
    path = write_workbook(tmp_path / "no-header.xlsx", rows)
    staff_client.cookies["django_language"] = "en"

    response = _upload(staff_client, path)
    page = staff_client.get(response.url).content.decode()

    batch = ImportBatch.objects.get()
    assert batch.status == ImportStatus.REFUSED
    assert "No list header row found in the first" in page
    assert "Không tìm thấy dòng tiêu đề" not in page
