"""Writing a plan to the database, all of it or nothing."""

import logging

from django.db import transaction
from django.utils import timezone

from ..models import Producer, Product, Registration
from .planner import CREATE, PRODUCER_FIELDS, REGISTRATION_FIELDS, UPDATE

logger = logging.getLogger(__name__)

BATCH_SIZE = 2000


def commit_plan(plan, batch=None):
    """Write ``plan`` in one transaction with bulk statements; returns its counts.

    Creates and updates producers, products and registrations; registrations it
    writes point at ``batch``. Leaves the database as it was if anything fails.
    """
    if plan.has_errors:
        raise ValueError("A plan with errors cannot be committed.")
    now = timezone.now()
    with transaction.atomic():
        _write_producers(plan, now)
        _write_products(plan, now)
        _write_registrations(plan, batch, now)
    counts = plan.counts()
    logger.info("Committed registration import for %s: %s", plan.year, counts)
    return counts


def _producer(plan, province_id):
    values = {name: plan.values[name] for name in PRODUCER_FIELDS}
    producer = Producer(province_id=province_id, **values)
    producer.refresh_search_fields()
    return producer


def _write_producers(plan, now):
    created = [item for item in plan.producers if item.action == CREATE]
    objects = [_producer(item, plan.province_id) for item in created]
    Producer.objects.bulk_create(objects, batch_size=BATCH_SIZE)
    for item, producer in zip(created, objects, strict=True):
        item.id = producer.id

    updated = []
    for item in plan.producers:
        if item.action == CREATE:
            continue
        item.id = item.existing["id"]
        if item.action == UPDATE:
            producer = _producer(item, plan.province_id)
            producer.id = item.id
            producer.updated_at = now
            updated.append(producer)
    Producer.objects.bulk_update(
        updated,
        [*PRODUCER_FIELDS, "name_key", "search_text", "updated_at"],
        batch_size=BATCH_SIZE,
    )


def _write_products(plan, now):
    created, objects, updated = [], [], []
    for item in plan.products:
        if item.action == CREATE:
            product = Product(producer_id=item.producer.id, name=item.name)
            product.refresh_search_fields()
            created.append(item)
            objects.append(product)
            continue
        item.id = item.existing["id"]
        if item.action == UPDATE:
            product = Product(id=item.id, producer_id=item.producer.id, name=item.name)
            product.refresh_search_fields()
            product.updated_at = now
            updated.append(product)
    Product.objects.bulk_create(objects, batch_size=BATCH_SIZE)
    for item, product in zip(created, objects, strict=True):
        item.id = product.id
    Product.objects.bulk_update(
        updated, ["name", "name_key", "search_text", "updated_at"], BATCH_SIZE
    )


def _write_registrations(plan, batch, now):
    created, updated = [], []
    batch_id = batch.id if batch else None
    for item in plan.registrations:
        if item.action == CREATE:
            created.append(
                Registration(
                    product_id=item.product.id,
                    year=plan.year,
                    province_id=plan.province_id,
                    import_batch_id=batch_id,
                    source_sheet=plan.sheet[:100],
                    source_row=item.row,
                    **item.values,
                )
            )
        elif item.action == UPDATE:
            updated.append(
                Registration(
                    id=item.existing["id"],
                    import_batch_id=batch_id,
                    source_sheet=plan.sheet[:100],
                    source_row=item.row,
                    updated_at=now,
                    **item.values,
                )
            )
    Registration.objects.bulk_create(created, batch_size=BATCH_SIZE)
    Registration.objects.bulk_update(
        updated,
        [
            *REGISTRATION_FIELDS,
            "import_batch_id",
            "source_sheet",
            "source_row",
            "updated_at",
        ],
        batch_size=BATCH_SIZE,
    )
