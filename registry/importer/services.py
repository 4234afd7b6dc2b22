"""An upload's life: recorded, previewed, then committed (or refused)."""

import hashlib
import logging
from pathlib import Path

from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from ocop.audit import record
from ocop.jobs import PASSING_FAULTS, JobTakenOver

from ..enums import ImportStatus
from ..models import ImportBatch
from .committer import commit_plan
from .issues import ERROR, HINT_FIX_FILE, WARNING, ImportRefused
from .planner import plan_import
from .reader import read_workbook

logger = logging.getLogger(__name__)


def _sha256(handle):
    digest = hashlib.sha256()
    handle.seek(0)
    for chunk in iter(lambda: handle.read(1 << 20), b""):
        digest.update(chunk)
    handle.seek(0)
    return digest.hexdigest()


def preview_file(path, province, year=None, progress=None):
    """Read and plan ``path`` against ``province``; returns the plan. Writes nothing.

    Raises :class:`ImportRefused` for a file that cannot be imported.
    """
    content = read_workbook(path, progress=progress)
    return plan_import(content, province, year=year)


def record_batch(handle, *, name, province, user=None, year=None):
    """Store an uploaded file and record its :class:`ImportBatch` (not yet read)."""
    batch = ImportBatch(
        original_name=Path(name).name[:300],
        sha256=_sha256(handle),
        size=getattr(handle, "size", None) or 0,
        year=year or timezone.localdate().year,
        province=province,
        created_by=user if user is not None and user.is_authenticated else None,
    )
    batch.file.save(Path(name).name, File(handle), save=False)
    if not batch.size:
        batch.size = batch.file.size
    batch.save()
    return batch


def create_batch(handle, *, name, province, user=None, year=None):
    """Record an upload and queue its preview; returns the batch.

    Side effects: stores the file under MEDIA_ROOT, creates a ``Job`` and enqueues
    ``registry.tasks.preview_registration_import`` once the transaction commits.
    """
    from ocop.jobs import start_job

    from ..tasks import preview_registration_import

    batch = record_batch(handle, name=name, province=province, user=user, year=year)
    batch.job = start_job(
        preview_registration_import,
        kind="registry.import.preview",
        title=_("Đọc danh sách đăng ký «%(name)s»") % {"name": batch.original_name},
        # The preview's warnings are read by whoever uploaded: in their language.
        params={"batch": batch.pk, "year": year, "language": get_language()},
        user=user,
    )
    batch.save(update_fields=["job"])
    logger.info("import batch %s uploaded: %s", batch.pk, batch.original_name)
    return batch


def _refused(exc):
    return {
        "refused": exc.message,
        # Its parts, for the command line to word the hint its own way.
        "reason": exc.reason,
        "hint_code": exc.hint_code,
        "errors": 1,
        "warnings": 0,
        "issues": [
            {"level": ERROR, "sheet": exc.sheet, "row": exc.row, "message": exc.message}
        ],
    }


def preview_batch(batch, year=None, progress=None):
    """Read and plan the batch's file; store the preview on the batch.

    Returns the preview. A refused file leaves the batch ``REFUSED`` with the reason.
    """
    try:
        plan = preview_file(batch.file.path, batch.province, year, progress)
    except ImportRefused as exc:
        batch.status = ImportStatus.REFUSED
        batch.preview = _refused(exc)
        batch.save(update_fields=["status", "preview"])
        logger.info("import batch %s refused: %s", batch.pk, exc.message)
        return batch.preview

    preview = plan.preview()
    earlier = (
        ImportBatch.objects.filter(
            province=batch.province,
            sha256=batch.sha256,
            status=ImportStatus.COMMITTED,
        )
        .exclude(pk=batch.pk)
        .order_by("-committed_at")
        .first()
    )
    if earlier:
        when = timezone.localtime(earlier.committed_at).strftime("%d/%m/%Y %H:%M")
        if earlier.year == plan.year:
            message = _(
                "Tệp này đã được ghi vào cơ sở dữ liệu lúc %(when)s; ghi lại "
                "sẽ không thay đổi gì nếu dữ liệu chưa bị sửa."
            ) % {"when": when}
        else:
            message = _(
                "Tệp này đã được ghi cho năm %(earlier)s lúc %(when)s; lần này là "
                "năm %(year)s, nên các đăng ký năm %(year)s được tạo mới."
            ) % {"earlier": earlier.year, "when": when, "year": plan.year}
        preview["issues"].insert(
            0,
            {"level": WARNING, "sheet": "", "row": None, "message": message},
        )
        preview["warnings"] += 1
    batch.preview = preview
    batch.year = plan.year
    batch.status = ImportStatus.PREVIEWED
    batch.save(update_fields=["preview", "year", "status"])
    return preview


class BatchNotCommittable(ImportRefused):
    """The batch is not waiting to be committed (refused, or failed for good)."""


def _check_committable(batch):
    """True if the batch was committed already; raises unless it awaits its commit."""
    if batch.status == ImportStatus.COMMITTED:
        return True
    if batch.status != ImportStatus.PREVIEWED:
        reason = (batch.summary or {}).get("error") or (batch.preview or {}).get(
            "refused", ""
        )
        message = _("Lần nhập này không ghi được vào cơ sở dữ liệu (%(status)s).") % {
            "status": batch.get_status_display()
        }
        if reason:
            message = f"{message} {reason}"
        raise BatchNotCommittable(message)
    return False


def commit_batch(batch, user=None, progress=None):
    """Write a previewed batch to the registry, in one transaction.

    Reads the file again and plans it against the database as it is now, inside the
    transaction, so that what is written matches what the registry holds. Side
    effects: producers, products and registrations; the batch's status and summary;
    an audit entry. A batch already committed is not written again (its summary is
    returned); one that is neither previewed nor committed raises
    ``BatchNotCommittable``. On a passing fault (the database connection lost, a
    deadlock) nothing is written and the batch stays committable, so that a retry
    commits it; on any other failure the batch is marked ``FAILED``. Either way the
    exception is raised again.
    """
    if _check_committable(batch):
        return batch.summary
    try:
        content = read_workbook(batch.file.path, progress=progress)
        with transaction.atomic():
            locked = ImportBatch.objects.select_for_update().get(pk=batch.pk)
            if _check_committable(locked):
                return locked.summary
            plan = plan_import(content, batch.province, year=batch.year)
            if plan.has_errors:
                raise ImportRefused(
                    _("Danh sách còn lỗi."),
                    hint=_("Hãy sửa tệp rồi tải lên lại."),
                    hint_code=HINT_FIX_FILE,
                )
            counts = commit_plan(plan, batch=locked)
            preview = plan.preview()
            locked.status = ImportStatus.COMMITTED
            locked.committed_at = timezone.now()
            locked.summary = {
                "counts": counts,
                "registrations_by_kind": preview["registrations_by_kind"],
                "districts": preview["districts"],
                "distinct_producers": preview["distinct_producers"],
                "warnings": preview["warnings"],
            }
            locked.save(update_fields=["status", "committed_at", "summary"])
            record(
                user,
                "registry.import.committed",
                locked,
                from_state=ImportStatus.PREVIEWED,
                to_state=ImportStatus.COMMITTED,
                data={"counts": counts, "year": plan.year},
            )
    except (BatchNotCommittable, JobTakenOver):
        # Not this batch's failure: it stays as it is (another run has the job).
        raise
    except PASSING_FAULTS as exc:
        logger.warning("import batch %s not committed, will retry: %s", batch.pk, exc)
        raise
    except Exception as exc:
        message = getattr(exc, "message", "") or str(exc) or exc.__class__.__name__
        ImportBatch.objects.filter(pk=batch.pk).update(
            status=ImportStatus.FAILED, summary={"error": message}
        )
        logger.exception("import batch %s failed to commit", batch.pk)
        raise
    batch.refresh_from_db()
    logger.info("import batch %s committed: %s", batch.pk, counts)
    return batch.summary


def import_once(path, province, year=None, user=None):
    """Import and commit ``path`` as ``user`` unless the same file was committed
    before.

    Returns the committed batch's summary, or ``None`` when it was already imported
    (or refused, or has errors: the batch records why).
    """
    path = Path(path)
    with path.open("rb") as handle:
        digest = _sha256(handle)
        if ImportBatch.objects.filter(
            province=province, sha256=digest, status=ImportStatus.COMMITTED
        ).exists():
            return None
        batch = record_batch(
            handle, name=path.name, province=province, user=user, year=year
        )
    preview = preview_batch(batch, year=year)
    if batch.status != ImportStatus.PREVIEWED or preview["errors"]:
        return None
    return commit_batch(batch, user=user)
