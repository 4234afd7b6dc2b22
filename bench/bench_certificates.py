"""Benchmark: the certificates of a 200-product decision, made as one job.

Run by hand (it builds its own throw-away SQLite database and media folder):

    .venv/bin/python bench/bench_certificates.py [--products 200]

Reports seconds per certificate for the bulk certificate job (one PDF per product and
one PDF with all of them), the decision with its annex, and the peak memory of the
process. Aim: under 0.25 s per certificate, a 200-product decision under a minute.
"""

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=200)
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="ocop-bench-"))
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir / 'bench.sqlite3'}"
    os.environ["DJANGO_MEDIA_ROOT"] = str(workdir / "media")
    os.environ.pop("CELERY_BROKER_URL", None)  # tasks run in-process
    os.environ["LOG_LEVEL"] = "WARNING"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ocop.settings")
    sys.path.insert(0, str(ROOT))

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from evaluation import tasks
    from ocop.enums import DocumentKind, JobStatus
    from ocop.jobs import start_job
    from ocop.models import Document
    from registry.places import load_province
    from tests.document_builders import make_decision

    print(f"working in {workdir}")
    call_command("migrate", verbosity=0)
    load_province("12")
    make_decision(args.products)
    # Certificates and decisions are made with the WAL off and nothing else running.
    connection.close()
    print(
        f"{args.products} certified products ready; peak RSS so far {rss_mb():.0f} MB"
    )

    def run(task, title):
        started = time.perf_counter()
        cpu = time.process_time()
        job = start_job(
            task,
            kind="bench",
            title=title,
            params={"decision_number": "1234/QĐ-UBND"},
            total=args.products,
        )
        job.refresh_from_db()
        assert job.status == JobStatus.DONE, job.message
        cpu_seconds.append(time.process_time() - cpu)
        return time.perf_counter() - started

    cpu_seconds = []

    before = rss_mb()
    certificates = run(tasks.render_decision_certificates, "certificates")
    after_certificates = rss_mb()
    decision = run(tasks.render_decision, "decision")
    again = run(tasks.render_decision_certificates, "certificates again")

    bundle = Document.objects.get(kind=DocumentKind.CERTIFICATE_BUNDLE)
    singles = Document.objects.filter(kind=DocumentKind.CERTIFICATE).count()
    print(
        f"certificates job: {certificates:.1f} s for {args.products} "
        f"({certificates / args.products:.3f} s per certificate); "
        f"{singles} single PDFs and one of {bundle.size / 1024:.0f} KB"
    )
    print(f"decision and annex (.pdf + .xlsx): {decision:.1f} s")
    total = certificates + decision
    print(f"decision end to end (certificates + decision): {total:.1f} s")
    print(
        f"CPU time of this process: {cpu_seconds[0] / args.products:.3f} s per "
        f"certificate; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
    )
    print(f"same job again, nothing changed: {again:.2f} s (no new document)")
    print(
        f"peak RSS: {before:.0f} MB before the job, {after_certificates:.0f} MB after "
        f"the certificates, {rss_mb():.0f} MB at the end"
    )


if __name__ == "__main__":
    main()
