"""HTML to PDF with WeasyPrint, offline: fonts come from ``static/fonts``, nothing
else is fetched."""

import logging
from functools import cache
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)

FONT_DIR = Path(settings.BASE_DIR) / "static" / "fonts" / "dejavu"


@cache
def _offline_fetcher():
    """A fetcher for data URIs and the shipped fonts only; no network, ever."""
    from weasyprint.urls import URLFetcher

    class OfflineFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            if url.startswith("file://"):
                path = Path(url.removeprefix("file://")).resolve()
                if not path.is_relative_to(FONT_DIR.resolve()):
                    raise ValueError(f"refusing to read {url!r} for a PDF")
            return super().fetch(url, headers)

    return OfflineFetcher(allowed_protocols={"data", "file"}, fail_on_errors=True)


@cache
def _font_config():
    from weasyprint.text.fonts import FontConfiguration

    return FontConfiguration()


def font_face_css():
    faces = [
        ("OCOP Serif", "DejaVuSerif.ttf", "normal", "normal"),
        ("OCOP Serif", "DejaVuSerif-Bold.ttf", "bold", "normal"),
        ("OCOP Serif", "DejaVuSerif-Italic.ttf", "normal", "italic"),
        ("OCOP Serif", "DejaVuSerif-BoldItalic.ttf", "bold", "italic"),
        ("OCOP Sans", "DejaVuSans.ttf", "normal", "normal"),
        ("OCOP Sans", "DejaVuSans-Bold.ttf", "bold", "normal"),
    ]
    return "\n".join(
        f'@font-face {{ font-family: "{family}"; font-weight: {weight}; '
        f"font-style: {style}; src: url({(FONT_DIR / name).as_uri()}); }}"
        for family, name, weight, style in faces
    )


def render_html(template, context):
    return render_to_string(template, {**context, "font_faces": font_face_css()})


def layout(html):
    """A laid-out WeasyPrint document, whose pages can be written or combined."""
    from weasyprint import HTML

    return HTML(
        string=html, base_url=FONT_DIR.as_uri(), url_fetcher=_offline_fetcher()
    ).render(font_config=_font_config())


def write_pdf(documents):
    """One PDF from one or more laid-out documents, pages in order."""
    first = documents[0]
    pages = [page for document in documents for page in document.pages]
    return first.copy(pages).write_pdf()
