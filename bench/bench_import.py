"""Benchmark of the registration import, run by hand on PostgreSQL.

    createdb -h 127.0.0.1 -U postgres ocop_bench            # once
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/ocop_bench
    .venv/bin/python manage.py migrate
    .venv/bin/python bench/bench_import.py [ROWS]          # default 20,000

It generates the sheet (bench/make_sheet.py) if missing, DELETES the registry's
producers, products and registrations of Lai Châu in that database (so it refuses a
database whose name lacks "bench"), then runs the
import as the app does it: record the upload, preview (read + plan), commit (read +
plan + write in one transaction). A second run of the same file follows (everything
unchanged). It prints the machine's load, wall time, CPU time (this process's,
not PostgreSQL's), rows per second and peak memory: the process's peak RSS
(``resource.getrusage``) and, in a separate pass, the peak that ``tracemalloc``
sees in Python allocations.
"""

import os
import resource
import sys
import time
import tracemalloc
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ocop.settings")
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402

from bench.make_sheet import make  # noqa: E402
from registry.importer import commit_batch, preview_batch, record_batch  # noqa: E402
from registry.models import (  # noqa: E402
    ImportBatch,
    Producer,
    Product,
    Province,
    Registration,
)
from registry.places import load_province  # noqa: E402


def _clock():
    return time.perf_counter(), time.process_time()


def _since(start):
    wall, cpu = _clock()
    return wall - start[0], cpu - start[1]


def _load():
    # Wall times mean little without the machine's load beside them.
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f}, {five:.2f}, {fifteen:.2f} on {os.cpu_count()} CPUs"


def run(path, province):
    with path.open("rb") as handle:
        batch = record_batch(handle, name=path.name, province=province)
    start = _clock()
    preview = preview_batch(batch)
    preview_time = _since(start)
    start = _clock()
    commit_batch(batch)
    commit_time = _since(start)
    return preview, preview_time, commit_time


def report(label, rows, preview, preview_time, commit_time):
    total = preview_time[0] + commit_time[0]
    cpu = preview_time[1] + commit_time[1]
    counts = preview["counts"]
    print(f"\n{label}")
    print(
        "  counts: "
        + ", ".join(
            f"{name} {c['created']}+{c['updated']}~{c['unchanged']}="
            for name, c in counts.items()
        ).replace("=", "")
    )
    print(f"  preview (read + plan):        {preview_time[0]:6.2f} s wall")
    print(f"  commit (read + plan + write): {commit_time[0]:6.2f} s wall")
    print(
        f"  end to end: {total:.2f} s wall, {cpu:.2f} s CPU -> "
        f"{rows / total:,.0f} rows/s (wall), {rows / cpu:,.0f} rows/s (CPU)"
    )


def main():
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
    if connection.vendor != "postgresql":
        print("Chạy trên PostgreSQL: đặt DATABASE_URL (xem đầu tệp).")
        sys.exit(2)
    if "bench" not in connection.settings_dict["NAME"]:
        # It deletes the province's registry: never on a database someone works in.
        name = connection.settings_dict["NAME"]
        print(
            f"Cơ sở dữ liệu «{name}» không có «bench» trong tên: kịch bản này xoá danh "
            "bạ của tỉnh, chỉ chạy trên cơ sở dữ liệu riêng để đo (xem đầu tệp)."
        )
        sys.exit(2)
    path = BASE_DIR / "var" / f"bench-registration-{rows}.xlsx"
    if not path.exists():
        make(rows, path)
    province = Province.objects.filter(code="12").first() or load_province("12")[0]
    Registration.objects.filter(province=province).delete()
    Product.objects.filter(producer__province=province).delete()
    Producer.objects.filter(province=province).delete()
    ImportBatch.objects.filter(province=province).delete()

    print(f"{rows} dòng sản phẩm, {path.stat().st_size / 1024:.0f} KB, PostgreSQL")
    print(_load())
    preview, preview_time, commit_time = run(path, province)
    report("first import (all created)", rows, preview, preview_time, commit_time)
    peak_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    preview, preview_time, commit_time = run(path, province)
    report("same file again (all unchanged)", rows, preview, preview_time, commit_time)

    # Python-level peak, measured on a clean slate; tracemalloc slows the run.
    Registration.objects.filter(province=province).delete()
    Product.objects.filter(producer__province=province).delete()
    Producer.objects.filter(province=province).delete()
    tracemalloc.start()
    run(path, province)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"\n{_load()}")
    print(f"peak RSS of the process: {peak_rss:.0f} MB")
    print(f"peak traced Python allocations (preview + commit): {peak / 2**20:.0f} MB")


if __name__ == "__main__":
    main()
