"""Vocabularies the registry validates against: CPC symbols, rights statements,
IP offices. CPC titles (scheme 2022.08, see data/CPC-README.txt) load lazily once
per process.
"""

from __future__ import annotations

import gzip
import re
from functools import lru_cache
from pathlib import Path

from django.utils.translation import gettext, gettext_lazy as _

CPC_FILE = Path(__file__).parent / "data" / "cpc_titles_full_202208.tsv.gz"
_CPC_SHAPE = re.compile(r"^[A-HY](\d\d([A-Z](\d{1,4}/\d{2,6})?)?)?$")


@lru_cache(maxsize=1)
def cpc_titles() -> dict[str, str]:
    titles: dict[str, str] = {}
    with gzip.open(CPC_FILE, "rt", encoding="utf-8") as handle:
        next(handle)
        for line in handle:
            symbol, _level, _dots, title = line.rstrip("\n").split("\t", 3)
            titles[symbol] = title
    return titles


def cpc_normalise(code: str) -> str:
    """'g06f 16/30' → 'G06F16/30' (the scheme writes symbols without spaces)."""
    return re.sub(r"\s+", "", code).upper()


def check_cpc_codes(codes: list[str]) -> list[str]:
    errors = []
    for code in codes:
        symbol = cpc_normalise(code)
        if not _CPC_SHAPE.match(symbol) or symbol not in cpc_titles():
            errors.append(gettext("Unknown CPC code: %(value)s.") % {"value": code})
    return errors


# Creative Commons licences (4.0 and the public-domain tools) and the twelve
# RightsStatements.org statements, by URI.
RIGHTS_STATEMENTS: dict[str, str] = {
    "https://creativecommons.org/licenses/by/4.0/": "CC BY 4.0",
    "https://creativecommons.org/licenses/by-sa/4.0/": "CC BY-SA 4.0",
    "https://creativecommons.org/licenses/by-nd/4.0/": "CC BY-ND 4.0",
    "https://creativecommons.org/licenses/by-nc/4.0/": "CC BY-NC 4.0",
    "https://creativecommons.org/licenses/by-nc-sa/4.0/": "CC BY-NC-SA 4.0",
    "https://creativecommons.org/licenses/by-nc-nd/4.0/": "CC BY-NC-ND 4.0",
    "https://creativecommons.org/publicdomain/zero/1.0/": "CC0 1.0",
    "https://creativecommons.org/publicdomain/mark/1.0/": _("Public Domain Mark 1.0"),
    "http://rightsstatements.org/vocab/InC/1.0/": _("In Copyright"),
    "http://rightsstatements.org/vocab/InC-OW-EU/1.0/": _("In Copyright - EU Orphan Work"),
    "http://rightsstatements.org/vocab/InC-EDU/1.0/": _("In Copyright - Educational Use Permitted"),
    "http://rightsstatements.org/vocab/InC-NC/1.0/": _("In Copyright - Non-Commercial Use Permitted"),
    "http://rightsstatements.org/vocab/InC-RUU/1.0/": _("In Copyright - Rights-holder(s) Unlocatable or Unidentifiable"),
    "http://rightsstatements.org/vocab/NoC-CR/1.0/": _("No Copyright - Contractual Restrictions"),
    "http://rightsstatements.org/vocab/NoC-NC/1.0/": _("No Copyright - Non-Commercial Use Only"),
    "http://rightsstatements.org/vocab/NoC-OKLR/1.0/": _("No Copyright - Other Known Legal Restrictions"),
    "http://rightsstatements.org/vocab/NoC-US/1.0/": _("No Copyright - United States"),
    "http://rightsstatements.org/vocab/CNE/1.0/": _("Copyright Not Evaluated"),
    "http://rightsstatements.org/vocab/UND/1.0/": _("Copyright Undetermined"),
    "http://rightsstatements.org/vocab/NKC/1.0/": _("No Known Copyright"),
}


def check_rights_statement(uri: str) -> list[str]:
    if uri and uri not in RIGHTS_STATEMENTS:
        return [gettext("Unknown rights statement. Choose a Creative Commons licence or a RightsStatements.org statement.")]
    return []


IP_OFFICES: dict[str, str] = {
    "JP": _("Japan Patent Office (JPO)"),
    "US": _("United States Patent and Trademark Office (USPTO)"),
    "EP": _("European Patent Office (EPO)"),
    "WO": _("WIPO (PCT)"),
    "CN": _("China National Intellectual Property Administration (CNIPA)"),
    "KR": _("Korean Intellectual Property Office (KIPO)"),
    "GB": _("UK Intellectual Property Office"),
    "DE": _("German Patent and Trade Mark Office (DPMA)"),
    "OTHER": _("Other office"),
}
