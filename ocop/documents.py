"""Keeping generated files: one record per version, never two files for the same data.

A renderer is a function from plain data to bytes. ``store_document`` hashes that data
first: when a version of the same document was already made from the same data it is
returned as it is (so a job that runs twice makes one file); otherwise the renderer
runs and its output becomes the next version. Earlier versions are never touched.
"""

import hashlib
import json
import logging
from datetime import date, datetime
from decimal import Decimal

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Max

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


def find_document(kind, key, data):
    """The document already made from exactly this data, or None."""
    return Document.objects.filter(
        kind=kind, key=key, input_hash=input_hash(data)
    ).first()


def latest_document(kind, key):
    return Document.objects.filter(kind=kind, key=key).order_by("-version").first()


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
):
    """Return the document made from ``data``, rendering it only if it is new.

    Side effects: may write one file through the default storage and one row.
    ``render(data)`` returns the file's bytes; ``file_name`` ends in ``.pdf`` or
    ``.xlsx``; ``province_id`` says whose staff may see it, ``district_id`` which
    district's officers may (for what a district's own rounds produced).
    """
    digest = input_hash(data)
    existing = Document.objects.filter(kind=kind, key=key, input_hash=digest).first()
    if existing is not None:
        return existing

    content = render(data)
    extension = file_name.rsplit(".", 1)[-1]
    try:
        with transaction.atomic():
            last = Document.objects.filter(kind=kind, key=key).aggregate(
                last=Max("version")
            )["last"]
            document = Document(
                kind=kind,
                key=key,
                version=(last or 0) + 1,
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
            )
            document.file.save(file_name, ContentFile(content), save=False)
            document.save()
    except IntegrityError:
        # Another worker stored the same data (or took this version number) first.
        document.file.delete(save=False)
        existing = Document.objects.filter(
            kind=kind, key=key, input_hash=digest
        ).first()
        if existing is None:
            raise
        return existing
    logger.info(
        "document %s v%s stored (%s bytes)", key, document.version, len(content)
    )
    return document
