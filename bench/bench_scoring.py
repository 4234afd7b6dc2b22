"""Benchmark: 30 council members saving their score sheets at the same time.

Run by hand against PostgreSQL (the database is migrated and filled with a council of
30, a round and one product; it is left there, so use a database of your own):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ocop_eval \\
        .venv/bin/python bench/bench_scoring.py [--members 30] [--saves 10]
        [--via page|service] [--workers 3]

``--via page`` (the default) starts gunicorn with ``--workers`` processes, as the
README runs the app, and each member, in a thread of its own, logged in with a
session of its own, opens the scoring page once and then posts its sheet ``--saves``
times as the page's draft button does (htmx) before submitting it: the latency is
the whole request, middleware, session, CSRF and template included. ``--via service``
calls ``evaluation.services.save_member_score`` from threads of this process instead.
Reports the latency of one save: median, 95th percentile and maximum. Aim: well under
a second.
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


def through_the_service(evaluation, members, sheets, args):
    from django.db import connections

    from evaluation import services

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

    return latencies, errors, elapsed


def login_session(user):
    """A session key for ``user``, as the login page would have made it."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[-1]
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return session.session_key


def start_gunicorn(workers, port):
    """gunicorn serving the app on ``port``, once it answers."""
    import socket
    import subprocess
    import tempfile

    static = tempfile.mkdtemp(prefix="ocop-bench-static-")
    env = dict(os.environ, DJANGO_STATIC_ROOT=static)
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "ocop.wsgi", "-b", f"127.0.0.1:{port}"]
        + ["-w", str(workers), "--log-level", "warning"],
        cwd=ROOT,
        env=env,
    )
    for _attempt in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return server
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise SystemExit("gunicorn did not start")


def through_the_page(evaluation, members, sheets, args):
    """Each member's browser: open the scoring page, post drafts, submit."""
    import http.client
    import secrets
    from urllib.parse import urlencode

    from django.urls import reverse

    port = 18000 + os.getpid() % 1000
    path = reverse("evaluation:evaluation-score", args=[evaluation.pk])
    cookies = {member.pk: login_session(member) for member in members}
    server = start_gunicorn(args.workers, port)
    latencies, opened, errors = [], [], []
    lock = threading.Lock()
    start = threading.Barrier(len(members))

    def request(method, headers, body=None):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        began = time.perf_counter()
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        content = response.read().decode()
        took = time.perf_counter() - began
        connection.close()
        return response.status, content, took

    def member_session(index, member):
        token = secrets.token_hex(16)  # 32 characters: an unmasked CSRF secret
        headers = {
            "Cookie": f"sessionid={cookies[member.pk]}; csrftoken={token}",
            "X-CSRFToken": token,
            "Host": "127.0.0.1",
        }
        mine, page = [], []
        try:
            start.wait()
            status, _content, took = request("GET", headers)
            if status != 200:
                raise RuntimeError(f"scoring page answered {status}")
            page.append(took)
            for attempt in range(args.saves + 1):
                is_submit = attempt == args.saves
                chosen = sheets[(index + attempt) % len(sheets)]
                fields = [(f"c{c}", o) for c, o in chosen.items()]
                fields.append(("action", "submit" if is_submit else "save"))
                posted = dict(headers)
                posted["Content-Type"] = "application/x-www-form-urlencoded"
                if not is_submit:
                    posted["HX-Request"] = "true"
                status, content, took = request("POST", posted, urlencode(fields))
                expected = 302 if is_submit else 200
                if status != expected or "text-danger" in content:
                    raise RuntimeError(f"save {attempt} answered {status}")
                mine.append(took)
        except Exception as exc:  # reported below; the benchmark goes on
            errors.append(repr(exc))
        with lock:
            latencies.extend(mine)
            opened.extend(page)

    threads = [
        threading.Thread(target=member_session, args=(i, m))
        for i, m in enumerate(members)
    ]
    try:
        began = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - began
    finally:
        server.terminate()
        server.wait()
    return latencies, opened, errors, elapsed


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=30)
    parser.add_argument("--saves", type=int, default=10)
    parser.add_argument("--via", choices=["page", "service"], default="page")
    parser.add_argument("--workers", type=int, default=3)
    args = parser.parse_args()

    os.environ.setdefault(
        "DATABASE_URL", "postgres://postgres@127.0.0.1:5432/ocop_eval"
    )
    os.environ["LOG_LEVEL"] = "WARNING"
    # gunicorn reads the same settings: no debug (it would keep every query).
    os.environ.setdefault("DJANGO_DEBUG", "false")
    os.environ.setdefault("DJANGO_SECRET_KEY", "bench-scoring-not-secret")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ocop.settings")
    sys.path.insert(0, str(ROOT))

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

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
    services.record_samples(dossier, admin, count=5, received_on=date(2023, 6, 1))
    evaluation = services.add_to_round(round, dossier, admin)
    services.record_precheck(evaluation, members[0], "Đủ hồ sơ.")

    spec = sheet_spec(evaluation.sheet)
    sheets = [selections_for_total(spec, total) for total in range(70, 81)]
    if args.via == "page":
        by_criterion = [
            {spec.owner(option).id: option for option in sheet} for sheet in sheets
        ]
        latencies, opened, errors, elapsed = through_the_page(
            evaluation, members, by_criterion, args
        )
        ms = [value * 1000 for value in opened]
        print(
            f"gunicorn, {args.workers} workers: scoring page opened {len(ms)} times, "
            f"median {statistics.median(ms):.1f} ms, max {max(ms):.1f} ms"
        )
    else:
        latencies, errors, elapsed = through_the_service(
            evaluation, members, sheets, args
        )

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
