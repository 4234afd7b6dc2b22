"""Renderers: plain data in, PDF bytes out."""

import logging
import time

from .pdf import layout, render_html, write_pdf

logger = logging.getLogger(__name__)


def long_date(value):
    """'ngày 12 tháng 10 năm 2023', as Vietnamese official documents write dates."""
    return f"ngày {value.day:02d} tháng {value.month:02d} năm {value.year}"


def score_text(value):
    """68.33 -> '68,33': official documents write a decimal comma."""
    return "" if value is None else f"{value:.2f}".replace(".", ",")


def qr_data_uri(url):
    import segno

    # A PNG draws faster than an SVG of a few hundred squares, page after page.
    return segno.make(url, error="m").png_data_uri(scale=6, border=1)


# The certificate's font sizes (pt) by the length of what they print, so that the
# longest the fields hold (300 characters a product's or a producer's name, 500 an
# address) still fits its one page. (The issuing authority and the place are the
# rulebook's, with an area's name: never long.)
PRODUCT_SIZES = ((60, 22), (110, 18), (180, 15.5), (300, 13.5))
FACTS_SIZES = ((250, 12.5), (450, 11.5), (650, 10.5), (800, 10))
# Past this many characters in all, the title and the signature's space shrink.
DENSE_LENGTH = 700


def fitting_size(length, sizes):
    """The size of the first step whose length ``length`` is within (the last
    step's beyond them all)."""
    for most, size in sizes:
        if length <= most:
            return size
    return sizes[-1][1]


def certificate_sizes(data):
    """How big the certificate prints its product and its facts, so that it stays
    one page."""
    facts = len(data.producer) + len(data.address)
    return {
        "product": fitting_size(len(data.product), PRODUCT_SIZES),
        "facts": fitting_size(facts, FACTS_SIZES),
        "is_dense": facts + len(data.product) > DENSE_LENGTH,
    }


def certificate_context(data):
    return {
        "c": data,
        "authority_lines": authority_lines(data.authority),
        "sizes": certificate_sizes(data),
        "stars_glyphs": "★" * data.stars,
        "score": score_text(data.score),
        "decision_date": data.decision_date.strftime("%d/%m/%Y"),
        "valid_until": data.valid_until.strftime("%d/%m/%Y"),
        "signed_on": long_date(data.decision_date),
        "qr": qr_data_uri(data.verification_url),
    }


def layout_certificate(data):
    html = render_html("documents/pdf/certificate.html", certificate_context(data))
    return layout(html)


def render_certificate(data):
    return write_pdf([layout_certificate(data)])


def render_certificates(items, progress=None):
    """All the certificates in one PDF, a page each, in the order given."""
    started = time.perf_counter()
    documents = []
    for index, data in enumerate(items, start=1):
        documents.append(layout_certificate(data))
        if progress:
            progress(index, len(items))
    content = write_pdf(documents)
    logger.info(
        "%s certificates rendered in %.1f s", len(items), time.perf_counter() - started
    )
    return content


def authority_lines(authority):
    """The issuing body as a document's heading prints it: a People's Committee
    on a line of its own above its area ('Ủy ban nhân dân' / 'huyện Tam
    Đường'), any other body on one line (each line still wraps)."""
    from .build import PEOPLES_COMMITTEE

    if authority.lower().startswith(PEOPLES_COMMITTEE):
        area = authority[len(PEOPLES_COMMITTEE) :].strip()
        if area:
            return [authority[: len(PEOPLES_COMMITTEE)], area]
    return [authority]


def render_decision(data):
    rows = [
        {
            "row": row,
            "score": score_text(row.score),
        }
        for row in data.rows
    ]
    html = render_html(
        "documents/pdf/decision.html",
        {
            "d": data,
            "authority_lines": authority_lines(data.authority),
            "rows": rows,
            "signed_on": long_date(data.date),
            "date": data.date.strftime("%d/%m/%Y"),
            "count": len(rows),
        },
    )
    return write_pdf([layout(html)])


def render_round_summary(data):
    rows = [
        {
            "row": row,
            "scores": ["" if score is None else str(score) for score in row.scores],
            "average": score_text(row.average),
        }
        for row in data.rows
    ]
    html = render_html(
        "documents/pdf/round_summary.html",
        {
            "s": data,
            "rows": rows,
            "date": data.date.strftime("%d/%m/%Y") if data.date else "",
        },
    )
    return write_pdf([layout(html)])
