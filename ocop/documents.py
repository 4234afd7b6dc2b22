"""Keeping generated files: one record per version, never two files in a row for the
same data.

A renderer is a function from plain data to bytes. ``store_document`` hashes that data
first: when the latest version of the document was made from the same data it is
returned as it is (so a job that runs twice makes one file); otherwise the data makes
the next version, so that the latest version always says what the data says now. Data
that changes back (A, then B, then A again) makes a third version equal to the first,
copied from it rather than rendered again. Earlier versions are never touched.
"""

import hashlib
import json
import logging
from datetime import date, datetime
from decimal import Decimal

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction

from .models import Document

logger = logging.getLogger(__name__)

MEDIA_TYPES = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _plain(value):
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"cannot hash {type(value).__name__}")


def input_hash(data):
    """SHA-256 of the data a document is made from, stable across runs."""
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, default=_plain)
    return hashlib.sha256(text.encode()).hexdigest()


def latest_document(kind, key):
    return Document.objects.filter(kind=kind, key=key).order_by("-version").first()


def find_document(kind, key, data):
    """The latest version of the document if it was made from exactly this data,
    else None."""
    latest = latest_document(kind, key)
    if latest is not None and latest.input_hash == input_hash(data):
        return latest
    return None


def _earlier_content(kind, key, digest):
    """The bytes of an earlier version made from the same data, if its file is there."""
    earlier = (
        Document.objects.filter(kind=kind, key=key, input_hash=digest)
        .order_by("-version")
        .first()
    )
    if earlier is None:
        return None
    try:
        with earlier.file.open("rb") as handle:
            return handle.read()
    except FileNotFoundError:
        return None


def store_document(
    *,
    kind,
    key,
    title,
    data,
    render,
    file_name,
    province_id=None,
    district_id=None,
    user=None,
    job=None,
    **about,
):
    """Return the document made from ``data``: the latest version if it was made from
    the same data, else a new version.

    Side effects: may write one file through the default storage and one row.
    ``render(data)`` returns the file's bytes (not called when an earlier version has
    them); ``file_name`` ends in ``.pdf`` or ``.xlsx``; ``province_id`` says whose
    staff may see it, ``district_id`` which district's officers may (for what a
    district's own rounds or People's Committee produced; set on the earlier
    versions too when it changed). ``about`` fills the fields the documents page
    filters on: ``decision_number``, ``round_id``, ``year``.
    """
    digest = input_hash(data)
    extension = file_name.rsplit(".", 1)[-1]
    content = None
    for _attempt in range(3):
        latest = latest_document(kind, key)
        if latest is not None and latest.input_hash == digest:
            if latest.district_id != district_id:
                # Which district's officers see it belongs to what it is about,
                # not to a version: one made before its district was known (a
                # district's certificate certified after a province round) gets
                # it, all its versions with it.
                Document.objects.filter(kind=kind, key=key).update(
                    district_id=district_id
                )
                latest.district_id = district_id
            return latest
        if content is None:
            content = _earlier_content(kind, key, digest) or render(data)
        document = Document(
            kind=kind,
            key=key,
            version=(latest.version if latest else 0) + 1,
            title=title,
            input_hash=digest,
            input_data=json.loads(json.dumps(data, default=_plain)),
            file_name=file_name,
            media_type=MEDIA_TYPES.get(extension, "application/octet-stream"),
            size=len(content),
            province_id=province_id,
            district_id=district_id,
            created_by=user,
            job=job,
            **about,
        )
        try:
            with transaction.atomic():
                document.file.save(file_name, ContentFile(content), save=False)
                document.save()
        except IntegrityError:
            # Another worker took this version number first: look again.
            document.file.delete(save=False)
            continue
        logger.info(
            "document %s v%s stored (%s bytes)", key, document.version, len(content)
        )
        return document
    raise IntegrityError(f"could not store a new version of {kind} {key}")
