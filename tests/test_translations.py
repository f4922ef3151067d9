"""The Japanese UI is complete and stays so.

    test_every_entry_is_translated_and_keeps_its_placeholders
        each app's catalogue (conceptcloud/<app>/locale/ja/LC_MESSAGES/django.po):
        no empty msgstr, nothing fuzzy, the same %(name)s / {name} placeholders
        and the same HTML tags as the English text
    test_every_compiled_catalogue_says_what_its_po_file_says
        the committed .mo is compiled from the committed .po
    test_every_string_marked_for_translation_is_in_its_catalogue
        `makemessages` run on a copy of each package finds no msgid its
        catalogue lacks, and the catalogue holds none the code no longer marks
    test_japanese_pages_show_no_english_interface_text
        the main pages, rendered in Japanese for a visitor and for a signed-in
        owner, show none of the catalogues' English texts and no other run of
        English words; what people typed (titles, names), the language switch
        and ISO names pycountry has no Japanese for are left out

The .po files are read by the small PO reader below (the standard library reads
only compiled .mo files). The extraction test needs GNU gettext's xgettext and
msguniq, as `makemessages` itself does: it fails, not skips, without them.

After changing a UI string, in conceptcloud/<app> with
DJANGO_SETTINGS_MODULE=conceptcloud.config.settings CC_DATA_DIR=/tmp/ccmsg:
    ../../.venv/bin/django-admin makemessages -l ja --no-obsolete
    (translate every new or fuzzy entry, then drop the fuzzy flag)
    ../../.venv/bin/django-admin compilemessages
"""

from __future__ import annotations

import gettext
import html
import re
import shutil
from collections import Counter
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import pycountry
import pytest
from django.conf import settings as django_settings
from django.core.management import call_command

PACKAGE = Path(__file__).resolve().parent.parent / "conceptcloud"
CATALOGUE = Path("locale") / "ja" / "LC_MESSAGES" / "django.po"
CATALOGUES = sorted(PACKAGE.glob(f"*/{CATALOGUE}"))
# Every folder of the package that may hold marked strings: the apps and the project's config.
PACKAGES = sorted(p.parent for p in PACKAGE.glob("*/__init__.py"))
SOURCE_SUFFIXES = {".py", ".html", ".txt"}  # what makemessages reads for the "django" domain


# ---------------------------------------------------------------- a small PO reader


@dataclass(frozen=True)
class Entry:
    msgctxt: str | None
    msgid: str
    msgid_plural: str | None
    msgstr: tuple[str, ...]  # one string, or one per plural form
    fuzzy: bool
    line: int

    @property
    def key(self) -> tuple[str | None, str, str | None]:
        return (self.msgctxt, self.msgid, self.msgid_plural)

    def __str__(self) -> str:
        return f"line {self.line}: {self.msgid!r}"


_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "a": "\a", "b": "\b", "f": "\f", "v": "\v"}
_KEYWORD = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(".*")\s*$')


def _unquote(text: str) -> str:
    return re.sub(r"\\(.)", lambda m: _ESCAPES[m.group(1)], text.strip()[1:-1])


def read_po(path: Path) -> list[Entry]:
    """The entries of a PO file, header and obsolete (#~) entries left out."""
    entries: list[Entry] = []
    fields: dict[str, str] = {}
    plurals: dict[int, str] = {}
    fuzzy, start, current = False, 0, None

    def flush() -> None:
        nonlocal fields, plurals, fuzzy, current
        if "msgid" in fields and fields["msgid"]:
            msgstr = tuple(plurals[i] for i in sorted(plurals)) if plurals else (fields.get("msgstr", ""),)
            entries.append(
                Entry(fields.get("msgctxt"), fields["msgid"], fields.get("msgid_plural"), msgstr, fuzzy, start)
            )
        fields, plurals, fuzzy, current = {}, {}, False, None

    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = line.strip()
        if not line:
            flush()
        elif line.startswith("#"):
            if current is not None and current[0].startswith("msgstr"):
                flush()  # a comment opens the next entry
            if line.startswith("#,") and "fuzzy" in line[2:].replace(",", " ").split():
                fuzzy = True
        elif line.startswith('"'):
            assert current is not None, f"{path}:{number}: a string continues nothing"
            name, index = current
            if index is None:
                fields[name] += _unquote(line)
            else:
                plurals[index] += _unquote(line)
        else:
            match = _KEYWORD.match(line)
            assert match, f"{path}:{number}: not PO syntax: {line!r}"
            name, index, value = match.group(1), match.group(2), _unquote(match.group(3))
            if name in ("msgctxt", "msgid") and (current is not None and current[0].startswith("msgstr")):
                flush()
            if name in ("msgctxt", "msgid") and not fields:
                start = number
            if index is None:
                fields[name] = value
                current = (name, None)
            else:
                plurals[int(index)] = value
                current = ("msgstr", int(index))
    flush()
    return entries


def read_header(path: Path) -> dict[str, str]:
    text = path.read_text(encoding="utf-8")
    block = text[: text.index("\n\n")] if "\n\n" in text else text
    header = "".join(_unquote(line) for line in block.splitlines() if line.startswith('"'))
    return dict(line.split(": ", 1) for line in header.splitlines() if ": " in line)


def app_of(catalogue: Path) -> str:
    return catalogue.relative_to(PACKAGE).parts[0]


# ---------------------------------------------------------------- every entry translated


# Python formats, named and positional, and str.format fields; "%%" is a literal percent sign.
_PLACEHOLDER = re.compile(r"%%|%(?:\(\w+\))?[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrs]|\{\w*\}")
# Markup that travels inside translated strings; written-out tags like "<token>" are text.
_TAG = re.compile(r"</?(a|abbr|b|br|code|em|i|kbd|span|strong)\b[^>]*>")


def placeholders(text: str) -> set[str]:
    return {p for p in _PLACEHOLDER.findall(text) if p != "%%"}


def tags(text: str) -> Counter:
    return Counter(("/" if m.group(0).startswith("</") else "") + m.group(1) for m in _TAG.finditer(text))


def test_there_is_a_japanese_catalogue_for_each_app_with_a_ui():
    assert {app_of(c) for c in CATALOGUES} >= {"core", "accounts", "registry"}


@pytest.mark.parametrize("catalogue", CATALOGUES, ids=app_of)
def test_every_entry_is_translated_and_keeps_its_placeholders(catalogue):
    header = read_header(catalogue)
    assert header.get("Language") == "ja"
    assert "charset=UTF-8" in header.get("Content-Type", "")
    assert header.get("Plural-Forms", "").replace(" ", "").startswith("nplurals=1;plural=0")

    entries = read_po(catalogue)
    assert entries, f"{catalogue} holds no entries"
    problems = []
    for entry in entries:
        if entry.fuzzy:
            problems.append(f"{entry}: fuzzy (check the translation, then remove the flag)")
        if not all(entry.msgstr):
            problems.append(f"{entry}: not translated")
            continue
        english = entry.msgid_plural or entry.msgid
        for translation in entry.msgstr:
            if placeholders(translation) != placeholders(english):
                problems.append(
                    f"{entry}: placeholders {sorted(placeholders(translation))} "
                    f"instead of {sorted(placeholders(english))}"
                )
            if tags(translation) != tags(english):
                problems.append(f"{entry}: HTML tags differ from the English text")
    seen = Counter(entry.key for entry in entries)
    problems += [f"{key[1]!r}: {n} entries" for key, n in seen.items() if n > 1]
    assert not problems, f"{catalogue.relative_to(PACKAGE.parent)}:\n  " + "\n  ".join(problems)


# ---------------------------------------------------------------- the .mo matches the .po


def _mo_key(entry: Entry) -> str:
    return f"{entry.msgctxt}\x04{entry.msgid}" if entry.msgctxt is not None else entry.msgid


@pytest.mark.parametrize("catalogue", CATALOGUES, ids=app_of)
def test_every_compiled_catalogue_says_what_its_po_file_says(catalogue):
    compiled = catalogue.with_suffix(".mo")
    assert compiled.exists(), f"{compiled} is missing: run `django-admin compilemessages`"
    expected: dict = {}
    for entry in read_po(catalogue):
        if entry.fuzzy or not all(entry.msgstr):
            continue  # msgfmt leaves these out
        if entry.msgid_plural is None:
            expected[_mo_key(entry)] = entry.msgstr[0]
        else:
            expected.update({(_mo_key(entry), i): text for i, text in enumerate(entry.msgstr)})
    with compiled.open("rb") as mo:
        # _catalog is the parsed .mo, the only way to list its entries; it has been stable since Python 2.
        actual = {k: v for k, v in gettext.GNUTranslations(mo)._catalog.items() if k != ""}
    stale = sorted(str(k) for k in expected.keys() | actual.keys() if expected.get(k) != actual.get(k))
    assert not stale, (
        f"{compiled.relative_to(PACKAGE.parent)} is not compiled from its .po "
        f"(run `django-admin compilemessages` in conceptcloud/{app_of(catalogue)}); differs in:\n  "
        + "\n  ".join(stale[:20])
    )


# ---------------------------------------------------------------- nothing marked is missing


def _copy_sources(package: Path, target: Path) -> None:
    """Copy the files makemessages reads, without the package's catalogue."""
    for source in package.rglob("*"):
        if source.suffix in SOURCE_SUFFIXES and source.is_file() and "locale" not in source.relative_to(package).parts:
            copy = target / source.relative_to(package)
            copy.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, copy)
    (target / "locale").mkdir()


@pytest.mark.parametrize("package", PACKAGES, ids=lambda p: p.name)
def test_every_string_marked_for_translation_is_in_its_catalogue(package, tmp_path, monkeypatch, settings):
    missing_tools = [tool for tool in ("xgettext", "msguniq") if shutil.which(tool) is None]
    if missing_tools:
        pytest.fail(
            f"{', '.join(missing_tools)} not found: the catalogues cannot be checked against the code. "
            "Install GNU gettext (Debian: apt-get install gettext)."
        )
    copy = tmp_path / package.name
    _copy_sources(package, copy)
    # Only the copy's own locale folder: makemessages must never write into the repository.
    settings.LOCALE_PATHS = []
    monkeypatch.chdir(copy)
    call_command("makemessages", locale=["ja"], verbosity=0)

    fresh_file = copy / CATALOGUE
    fresh = {e.key: e for e in read_po(fresh_file)} if fresh_file.exists() else {}
    committed_file = package / CATALOGUE
    if not committed_file.exists():
        assert not fresh, (
            f"conceptcloud/{package.name} marks strings for translation but has no catalogue: "
            f"create {committed_file.relative_to(PACKAGE.parent)} with makemessages, or move the strings "
            f"into an app that has one. First strings: {[k[1] for k in list(fresh)[:5]]}"
        )
        return
    committed = {e.key for e in read_po(committed_file)}
    missing = [f"{fresh[key].msgid!r}" for key in fresh.keys() - committed]
    unused = [repr(key[1]) for key in committed - fresh.keys()]
    assert not missing and not unused, (
        f"{committed_file.relative_to(PACKAGE.parent)} is out of step with the code; "
        "run makemessages -l ja --no-obsolete there and translate the new entries.\n"
        f"Missing ({len(missing)}):\n  " + "\n  ".join(sorted(missing)) + f"\nNo longer used ({len(unused)}):\n  "
        + "\n  ".join(sorted(unused))
    )


# ---------------------------------------------------------------- pages in Japanese


class _VisibleText(HTMLParser):
    """The text a reader sees or hears: text nodes, labels in attributes, button values."""

    ATTRIBUTES = ("title", "placeholder", "aria-label", "alt")
    BUTTON_TYPES = ("submit", "button", "reset")

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._hidden += 1
        attrs = dict(attrs)
        self.parts += [attrs[name] for name in self.ATTRIBUTES if attrs.get(name)]
        if tag == "input" and attrs.get("type") in self.BUTTON_TYPES and attrs.get("value"):
            self.parts.append(attrs["value"])

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden and data.strip():
            self.parts.append(data.strip())


def visible_text(page: str) -> str:
    parser = _VisibleText()
    parser.feed(page)
    return "\n".join(parser.parts)


# What people typed, shown as they typed it.
ASSET_TITLE = "Gear bearing drive"
USER_CONTENT = [
    ASSET_TITLE, "A gear and a bearing in one unit.", "Confidential tolerances: 0.002 mm.",
    "Cheap water filters", "For rural clinics.", "Kansai Robotics Lab", "Hanako Yamada", "Taro Suzuki",
    "hanako", "taro", "gear",
]
# Interface text that must never show in English on a Japanese page, marked or not.
CHROME = {
    "Skip to content", "Assets", "Needs", "Organisations", "People", "Dashboard", "Sign in", "Sign up", "Sign out",
    "Language", "Switch", "Search", "Save", "Cancel", "Previous", "Next",
}
# Two or more English words in a row, at least one of them in lower case ("CC BY-SA 4.0" and "ORCID iD" are names).
_ENGLISH_RUN = re.compile(r"[A-Za-z][A-Za-z'’]*(?:[ -]+[A-Za-z][A-Za-z'’]*)+")


def _is_english_run(text: str) -> bool:
    return re.search(r"[a-z]{2}", text) is not None


def _translations(catalogues: list[Path]) -> list[Entry]:
    return [entry for catalogue in catalogues for entry in read_po(catalogue)]


def _as_pattern(english: str) -> re.Pattern | None:
    """The English text as it would read on a page: tags gone, any value in its placeholders."""
    text = html.unescape(_TAG.sub("", english))
    literal = _PLACEHOLDER.split(text)
    if not any(re.search(r"[A-Za-z]{2,}", part) for part in literal):
        return None
    body = r".+?".join(re.escape(part) for part in literal)
    return re.compile(rf"(?<![A-Za-z]){body}(?![A-Za-z])")


def _interface_patterns(entries: list[Entry]) -> dict[str, re.Pattern]:
    """Every English UI text, except where the Japanese keeps the same words (API, Office, ORCID iD)."""
    japanese = "\n".join(text for entry in entries for text in entry.msgstr)
    patterns = {}
    for entry in entries:
        for english in filter(None, (entry.msgid, entry.msgid_plural)):
            pattern = _as_pattern(english)
            if pattern is not None and not pattern.search(japanese):
                patterns[english] = pattern
    for english in CHROME:
        patterns.setdefault(english, _as_pattern(english))
    return patterns


def _names_without_japanese() -> set[str]:
    """ISO country, language and currency names that pycountry cannot give in Japanese; they show in English."""
    names = set()
    for domain, items in (
        ("iso3166-1", pycountry.countries), ("iso639-3", pycountry.languages), ("iso4217", pycountry.currencies)
    ):
        japanese = gettext.translation(domain, pycountry.LOCALES_DIR, languages=["ja"], fallback=True)
        for item in items:
            for name in {item.name, getattr(item, "common_name", item.name)}:
                if japanese.gettext(name) == name:
                    names.add(name)
    return names


def _without(text: str, names) -> str:
    words = "|".join(re.escape(name) for name in sorted(names, key=len, reverse=True))
    return re.sub(rf"(?<![A-Za-z])(?:{words})(?![A-Za-z])", "\n", text)


@pytest.fixture
def site(make_user, make_org, make_asset):
    """A few people, an organisation, a confidential asset and a need; the pages to read, by reader."""
    from conceptcloud.accounts.services import ProfileData, profile_update
    from conceptcloud.registry.services import NeedData, need_create

    hanako = make_user("hanako", display_name="Hanako Yamada")
    taro = make_user("taro", display_name="Taro Suzuki")
    profile_update(
        actor=taro, data=ProfileData(display_name="Taro Suzuki", country="JP", languages=["en", "ja"], skills=["gear"])
    )
    org = make_org(hanako, "Kansai Robotics Lab", kind="university", country="JP")
    asset = make_asset(
        hanako, org=org, title=ASSET_TITLE, visibility="confidential", sdgs=[9], countries_developed=["JP"],
        availability=["licence"], rights_statement="http://rightsstatements.org/vocab/InC/1.0/",
    )
    need = need_create(
        actor=hanako,
        data=NeedData(title="Cheap water filters", description="For rural clinics.", seeker_org=org.slug, sdgs=[6]),
    )
    anonymous = [
        "/", "/assets/", f"/assets/{asset.pk}/", f"/assets/{asset.pk}/versions/", "/needs/", f"/needs/{need.pk}/",
        "/organisations/", f"/organisations/{org.slug}/", "/people/", "/people/taro/",
        "/account/login/", "/account/signup/", "/account/password/reset/",
    ]
    signed_in = [
        "/dashboard/", f"/assets/{asset.pk}/", "/assets/new/", f"/assets/{asset.pk}/edit/", "/needs/new/",
        f"/needs/{need.pk}/", f"/needs/{need.pk}/edit/", "/account/profile/", "/account/password/",
        "/account/tokens/", "/organisations/new/", f"/organisations/{org.slug}/edit/",
        f"/organisations/{org.slug}/members/",
    ]
    return {None: anonymous, hanako: signed_in}


def test_japanese_pages_show_no_english_interface_text(site, client):
    entries = _translations(CATALOGUES)
    interface = _interface_patterns(entries)
    japanese = "\n".join(text for entry in entries for text in entry.msgstr)
    # English kept inside the Japanese itself (e.g. "Research Organization Registry") is meant to be there.
    kept_in_japanese = {run for run in _ENGLISH_RUN.findall(japanese) if _is_english_run(run)}
    not_interface = set(USER_CONTENT) | {name for _, name in django_settings.LANGUAGES} | _names_without_japanese()
    problems = []
    for reader, urls in site.items():
        if reader is not None:
            client.force_login(reader)
        for url in urls:
            response = client.get(url, HTTP_ACCEPT_LANGUAGE="ja")
            assert response.status_code == 200, url
            page = response.content.decode()
            assert '<html lang="ja">' in page, url
            text = _without(visible_text(page), not_interface)
            found = sorted(english for english, pattern in interface.items() if pattern.search(text))
            found += sorted(
                {run for run in _ENGLISH_RUN.findall(text) if _is_english_run(run) and run not in kept_in_japanese}
                - set(found)
            )
            if found:
                who = " (signed in)" if reader is not None else ""
                problems.append(f"{url}{who}: {found[:15]}{' …' if len(found) > 15 else ''}")
    assert not problems, "English interface text on Japanese pages:\n  " + "\n  ".join(problems)
