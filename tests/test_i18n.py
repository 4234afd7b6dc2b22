"""The English translation: key pages switch language, and the catalogue is whole.

The interface is written in Vietnamese; ``locale/en`` holds the English catalogue.
Its ``.po`` is what translators edit, its ``.mo`` what Django reads (committed, so a
machine without gettext still shows English).
"""

import ast
import gettext
import re
import unicodedata
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from registry.enums import Role
from tests.evaluation_builders import Meeting
from tests.factories import UserFactory

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES"
PLACEHOLDER = re.compile(r"%\([^)]+\)[-#0 +]*\d*(?:\.\d+)?[sdifr]")

# Elements whose text is interface wording, never data.
LABEL_TAGS = {"title", "h1", "h2", "h3", "h4", "h5", "h6", "th", "label", "button"}


class _Labels(HTMLParser):
    """Collects the text of headings, table headers, labels and buttons."""

    def __init__(self, tags):
        super().__init__()
        self.tags = tags
        self.open = []
        self.labels = []

    def handle_starttag(self, tag, attrs):
        if tag in self.tags:
            self.open.append([tag, ""])

    def handle_endtag(self, tag):
        if self.open and self.open[-1][0] == tag:
            text = " ".join(self.open.pop()[1].split())
            if text:
                self.labels.append(text)

    def handle_data(self, data):
        if self.open:
            self.open[-1][1] += data


def labels(response, tags=LABEL_TAGS):
    parser = _Labels(tags)
    parser.feed(response.content.decode())
    return parser.labels


def is_vietnamese(text):
    """English wording has no accented letters; Vietnamese nearly always has some."""
    return any(ord(c) > 127 and unicodedata.category(c).startswith("L") for c in text)


def in_english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def officer(db, lai_chau):
    return UserFactory(username="canbo.tinh", role=Role.PROVINCE_STAFF)


# Key pages with their heading in each language.
PAGES = [
    ("registry:home", "Tổng quan chương trình OCOP", "OCOP programme overview"),
    ("registry:product-list", "Sản phẩm OCOP", "OCOP products"),
    ("registry:import-list", "Nhập danh sách đăng ký", "Import registration list"),
    ("evaluation:dossier-list", "Hồ sơ đánh giá", "Evaluation dossiers"),
]


def _h1(response):
    match = re.search(r"<h1[^>]*>(.*?)</h1>", response.content.decode(), re.S)
    return " ".join(re.sub(r"<[^>]+>", "", match.group(1)).split())


@pytest.mark.parametrize(("url_name", "vietnamese", "english"), PAGES)
def test_key_page_is_english_with_the_english_cookie(
    client, officer, url_name, vietnamese, english
):
    client.force_login(officer)

    response = in_english(client).get(reverse(url_name))

    assert response.status_code == 200
    assert _h1(response) == english
    assert [text for text in labels(response) if is_vietnamese(text)] == []


@pytest.mark.parametrize(("url_name", "vietnamese", "english"), PAGES)
def test_key_page_is_vietnamese_without_a_cookie(
    client, officer, url_name, vietnamese, english
):
    client.force_login(officer)

    response = client.get(reverse(url_name))

    assert response.status_code == 200
    assert _h1(response) == vietnamese
    assert response.headers["Content-Language"] == "vi"


def test_login_page_is_english_with_the_english_cookie(client, db):
    response = in_english(client).get(reverse("login"))

    assert _h1(response) == "Log in"
    assert labels(response) == [
        "Log in · OCOP Programme",
        "Log in",
        "Username",
        "Password",
        "Log in",
    ]


def test_login_page_is_vietnamese_without_a_cookie(client, db):
    response = client.get(reverse("login"))

    assert _h1(response) == "Đăng nhập"
    assert "Tên đăng nhập" in labels(response)


def test_language_switcher_names_vietnamese_in_vietnamese_on_english_pages(client, db):
    content = in_english(client).get(reverse("login")).content.decode()

    assert '<option value="vi">Tiếng Việt</option>' in content
    assert '<option value="en" selected>English</option>' in content


def test_scoring_page_and_its_script_messages_are_english(client, lai_chau):
    meeting = Meeting()
    client.force_login(meeting.scorers()[1])

    response = in_english(client).get(
        reverse("evaluation:evaluation-score", args=[meeting.evaluation.pk])
    )

    content = response.content.decode()
    assert _h1(response).startswith("Scoring sheet: ")
    assert "score one of the cases" in content
    assert "By score: %(stars)s stars" in content  # scoring.js's data-messages
    # The options' wording is the sheet's own (Vietnamese, from the regulation);
    # the page's headings, column headers and buttons are the interface.
    interface = labels(response, LABEL_TAGS - {"label", "h1", "title"})
    assert "Provisional total" in interface
    assert [text for text in interface if is_vietnamese(text)] == []


# -- the catalogue -------------------------------------------------------------------


def read_po(path):
    """The entries of a .po file: dicts of msgctxt, msgid, msgid_plural, msgstr
    (a list, one per plural form) and flags; obsolete entries are left out."""
    entries, entry, field = [], None, None

    def finish():
        if entry is not None and entry.get("msgid"):
            entries.append(entry)

    for line in path.read_text(encoding="utf-8").splitlines() + [""]:
        if not line.strip():
            finish()
            entry, field = None, None
            continue
        if line.startswith("#~"):
            continue
        if entry is None:
            entry = {"flags": set(), "msgctxt": None, "msgid_plural": None}
            entry["msgstr"] = []
        if line.startswith("#,"):
            entry["flags"].update(f.strip() for f in line[2:].split(","))
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            value = ast.literal_eval(line)
            if field == "msgstr":
                entry["msgstr"][-1] += value
            else:
                entry[field] += value
        else:
            keyword, _, value = line.partition(" ")
            value = ast.literal_eval(value)
            if keyword.startswith("msgstr"):
                field = "msgstr"
                entry["msgstr"].append(value)
            else:
                field = keyword
                entry[field] = value
    return entries


@pytest.fixture(scope="module")
def po_entries():
    return read_po(CATALOGUE / "django.po")


def test_english_catalogue_has_no_untranslated_entry(po_entries):
    untranslated = [e["msgid"] for e in po_entries if not all(e["msgstr"])]

    assert untranslated == []


def test_english_catalogue_has_no_fuzzy_entry(po_entries):
    fuzzy = [e["msgid"] for e in po_entries if "fuzzy" in e["flags"]]

    assert fuzzy == []


def test_english_catalogue_keeps_every_placeholder(po_entries):
    wrong = [
        (e["msgid"], translation)
        for e in po_entries
        for translation in e["msgstr"]
        if sorted(PLACEHOLDER.findall(translation))
        != sorted(PLACEHOLDER.findall(e["msgid"]))
    ]

    assert wrong == []


def test_english_plurals_have_both_forms(po_entries):
    plurals = [e for e in po_entries if e["msgid_plural"]]

    assert plurals
    assert [e["msgid"] for e in plurals if len(e["msgstr"]) != 2] == []


def test_compiled_catalogue_matches_the_po(po_entries):
    with open(CATALOGUE / "django.mo", "rb") as mo:
        compiled = gettext.GNUTranslations(mo)._catalog

    expected = {}
    for e in po_entries:
        key = e["msgid"] if e["msgctxt"] is None else f"{e['msgctxt']}\x04{e['msgid']}"
        if e["msgid_plural"]:
            expected.update({(key, n): s for n, s in enumerate(e["msgstr"])})
        else:
            expected[key] = e["msgstr"][0]
    compiled.pop("", None)  # the header

    assert compiled == expected
