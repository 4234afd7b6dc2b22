"""Writing a plan to the database, all of it or nothing."""

import logging

from django.db import connection, transaction
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


def _product(item, **fields):
    product = Product(producer_id=item.producer.id, name=item.name, **fields)
    product.refresh_search_fields()
    return product


def _write_producers(plan, now):
    created = [item for item in plan.producers if item.action == CREATE]
    objects = [_producer(item, plan.province_id) for item in created]
    for producer in objects:
        producer.created_at = producer.updated_at = now
    _insert(Producer, objects, now, with_ids=True)
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
            created.append(item)
            objects.append(_product(item))
            continue
        item.id = item.existing["id"]
        if item.action == UPDATE:
            updated.append(_product(item, id=item.id, updated_at=now))
    _insert(Product, objects, now, with_ids=True)
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
    _insert(Registration, created, now)
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


def _insert(model, objects, now, with_ids=False):
    """``bulk_create``, by COPY on PostgreSQL. ``with_ids`` draws the ids from the
    table's sequence first, so that the objects know them, as bulk_create's
    RETURNING would tell.

    Why not plain ``bulk_create``: for 20,000 products (45,000 rows written) it
    spends some 3 s of CPU preparing and quoting values, COPY 1.3 s; with it the
    import stays under 5,000 rows/s even on an idle machine (bench/bench_import.py).
    """
    if connection.vendor != "postgresql":
        model.objects.bulk_create(objects, batch_size=BATCH_SIZE)
        return
    if not objects:
        return
    fields = [
        field
        for field in model._meta.concrete_fields
        if with_ids or not field.primary_key
    ]
    for field in fields:
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            for obj in objects:
                setattr(obj, field.attname, now)
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    sql = f"COPY {table} ({columns}) FROM STDIN"
    # The raw psycopg cursor raises psycopg's errors; Django's wrapper turns them
    # into IntegrityError and friends, as bulk_create would.
    with connection.wrap_database_errors, connection.cursor() as cursor:
        if with_ids:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) "
                "FROM generate_series(1, %s)",
                [model._meta.db_table, model._meta.pk.column, len(objects)],
            )
            for obj, (pk,) in zip(objects, cursor.fetchall(), strict=True):
                obj.pk = pk
        with cursor.cursor.copy(sql) as copy:
            for obj in objects:
                copy.write_row([getattr(obj, field.attname) for field in fields])
