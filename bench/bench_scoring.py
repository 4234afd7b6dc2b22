"""Benchmark: 30 council members saving their score sheets at the same time.

Run by hand against PostgreSQL (the database is migrated and filled with a council of
30, a round and one product; it is left there, so use a database of your own):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ocop_eval \\
        .venv/bin/python bench/bench_scoring.py [--members 30] [--saves 10]

Each member, in a thread of its own with its own connection, saves a draft sheet
``--saves`` times (as the scoring page does on every tick) and then submits it,
all through ``evaluation.services.save_member_score``. Reports the latency of one
save: median, 95th percentile and maximum. Aim: well under a second.
"""

import argparse
import os
import statistics
import sys
import threading
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=30)
    parser.add_argument("--saves", type=int, default=10)
    args = parser.parse_args()

    os.environ.setdefault(
        "DATABASE_URL", "postgres://postgres@127.0.0.1:5432/ocop_eval"
    )
    os.environ["LOG_LEVEL"] = "WARNING"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ocop.settings")
    sys.path.insert(0, str(ROOT))

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, connections

    from evaluation import services
    from evaluation.corrections import apply_known_corrections
    from evaluation.enums import CouncilRole
    from evaluation.models import Council, CouncilMembership, ProgrammeYear
    from evaluation.rulebooks import load_rulebooks
    from evaluation.sheets import load_scoring_sheets, sheet_spec
    from registry.enums import Role
    from registry.models import (
        District,
        Producer,
        Product,
        ProductSet,
        Province,
        Registration,
        User,
    )
    from registry.places import load_province
    from tests.factories_evaluation import selections_for_total

    print(f"Database: {connection.vendor} {connection.settings_dict['NAME']}")
    call_command("migrate", verbosity=0)
    province = Province.objects.filter(code="12").first() or load_province("12")[0]
    district = District.objects.get(code="106")
    load_scoring_sheets(numbers={11})
    admin, _ = User.objects.get_or_create(
        username="bench.admin", defaults={"role": Role.ADMINISTRATOR}
    )
    apply_known_corrections(
        admin, {11: ProductSet.objects.get(number=11)}, numbers={11}
    )
    book = load_rulebooks()["148-2023"]
    ProgrammeYear.objects.get_or_create(
        province=province, year=2023, defaults={"rulebook": book}
    )
    tier = book.tiers.get(order=2)

    stamp = int(time.time())
    council = Council.objects.create(
        tier=tier,
        province=province,
        district=district,
        year=2023,
        name=f"Hội đồng đo tải {stamp}",
    )
    members = []
    for position in range(args.members):
        user = User.objects.create(
            username=f"bench{stamp}.{position}",
            role=Role.COUNCIL_MEMBER,
            province=province,
        )
        role = CouncilRole.CHAIR if position == 0 else CouncilRole.MEMBER
        CouncilMembership.objects.create(council=council, user=user, role=role)
        members.append(user)
    round = services.open_round(
        tier,
        admin,
        council=council,
        year=2023,
        name=f"Đợt đo tải {stamp}",
        closes_on=date(2023, 6, 30),
        district=district,
    )
    producer = Producer.objects.create(
        province=province, name=f"HTX đo tải {stamp}", kind="cooperative"
    )
    product = Product.objects.create(
        producer=producer,
        name=f"Chè đo tải {stamp}",
        product_set=ProductSet.objects.get(number=11),
        is_product_set_confirmed=True,
    )
    registration = Registration.objects.create(
        product=product, year=2023, kind="new", province=province, district=district
    )
    dossier = services.create_dossier(registration, admin)
    services.submit_dossier(dossier, admin)
    services.record_commune_assessment(
        dossier,
        admin,
        local_origin="Nguyên liệu tại xã.",
        local_labour="Lao động địa phương.",
        idea_origin="Nghề truyền thống.",
        local_identity="Bí quyết của bản.",
    )
    services.send_up(dossier, admin)
    evaluation = services.add_to_round(round, dossier, admin)
    services.record_precheck(evaluation, members[0], "Đủ hồ sơ.")

    spec = sheet_spec(evaluation.sheet)
    sheets = [selections_for_total(spec, total) for total in range(70, 81)]
    latencies = []
    errors = []
    lock = threading.Lock()
    start = threading.Barrier(args.members)

    def member_session(index, member):
        mine = []
        try:
            start.wait()
            for attempt in range(args.saves + 1):
                selections = sheets[(index + attempt) % len(sheets)]
                began = time.perf_counter()
                services.save_member_score(
                    evaluation, member, selections, submit=attempt == args.saves
                )
                mine.append(time.perf_counter() - began)
        except Exception as exc:  # reported below; the benchmark goes on
            errors.append(repr(exc))
        finally:
            connections.close_all()
        with lock:
            latencies.extend(mine)

    threads = [
        threading.Thread(target=member_session, args=(i, m))
        for i, m in enumerate(members)
    ]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began

    services.close_round(round, members[0])
    evaluation.refresh_from_db()
    ms = [value * 1000 for value in latencies]
    print(
        f"{args.members} members × {args.saves + 1} saves = {len(ms)} saves "
        f"in {elapsed:.2f} s, {len(errors)} errors"
    )
    print(
        f"latency per save: median {statistics.median(ms):.1f} ms, "
        f"p95 {percentile(ms, 0.95):.1f} ms, max {max(ms):.1f} ms"
    )
    print(
        f"result: {evaluation.score} points, {evaluation.stars}★, {evaluation.outcome}"
    )
    for error in errors[:5]:
        print("error:", error)


if __name__ == "__main__":
    main()
