"""The bundled demo data (registry/data/demo/, see each README.txt), read into the
services' data classes.

    nasa_technologies()   NASA T2 "TOPS" summaries     → technologies for licence
    nasa_software()       NASA software catalogue      → technologies (open or licence)
    nasa_patents(today=)  data.nasa.gov patent list    → patents with a U.S. IP record
    merge_by_reference()  one asset per NASA case number across the three
    sbir_needs()          SBIR/STTR topics             → needs of the agency, closed

Normalisers for the sources' quirky values (tested on the real values):
patent_expiry, patent_number, application_number, sbir_date, shorten.
The category → SDG and agency → SDG tables are a demo-only heuristic (docs/demo.md).
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import lzma
import re
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

from conceptcloud.registry.services import AssetData, IpRecordData, NeedData

DATA_DIR = Path(__file__).resolve().parent.parent / "data" / "demo"
CURATOR = "demo-curator"

# Every spelling the sources use for a NASA centre → the organisation's slug.
# Headquarters is the agency itself, which also posts NASA's SBIR topics.
CENTRES: dict[str, str] = {
    "ARC": "nasa-ames",
    "NASA Ames Research Center": "nasa-ames",
    "GRC": "nasa-glenn",
    "NASA Glenn Research Center": "nasa-glenn",
    "GSFC": "nasa-goddard",
    "NASA Goddard Space Flight Center": "nasa-goddard",
    "JPL": "nasa-jpl",
    "NASA Jet Propulsion Laboratory": "nasa-jpl",
    "JSC": "nasa-johnson",
    "NASA Johnson Space Center": "nasa-johnson",
    "KSC": "nasa-kennedy",
    "NASA Kennedy Space Center": "nasa-kennedy",
    "LARC": "nasa-langley",
    "LaRC": "nasa-langley",
    "NASA Langley Research Center": "nasa-langley",
    "MSFC": "nasa-marshall",
    "NASA Marshall Space Flight Center": "nasa-marshall",
    "SSC": "nasa-stennis",
    "NASA Stennis Space Center": "nasa-stennis",
    "AFRC": "nasa-armstrong",
    "DFRC": "nasa-armstrong",  # Dryden, renamed Armstrong in 2014
    "NASA Armstrong Flight Research Center": "nasa-armstrong",
    "HQ": "nasa",
    "HDQS": "nasa",
    "NASA Headquarters": "nasa",
}

# The first agency an SBIR/STTR topic names → the organisation's slug.
AGENCIES: dict[str, str] = {
    "Department of Defense": "us-dod",
    "Department of Energy": "us-doe",
    "Department of Health and Human Services": "us-hhs",
    "National Science Foundation": "us-nsf",
    "National Aeronautics and Space Administration": "nasa",
    "Department of Commerce": "us-doc",
    "Department of Agriculture": "us-usda",
    "Department of Homeland Security": "us-dhs",
    "Department of Transportation": "us-dot",
    "Environmental Protection Agency": "us-epa",
    "Department of Education": "us-ed",
}

# Demo-only heuristic: the data carry no SDGs, so a NASA category gets the goals
# whose targets name its field (docs/demo.md gives the reasons). Unlisted: none.
CATEGORY_SDGS: dict[str, list[int]] = {
    "health medicine and biotechnology": [3],
    "power generation and storage": [7],
    "environment": [6, 12, 13],
    "manufacturing": [9],
    "communications": [9],
    "environmental science earth air space exoplanet": [13],
    "crew and life support": [3],
}

# Demo-only heuristic for needs: an agency whose mission is one goal's field.
AGENCY_SDGS: dict[str, list[int]] = {
    "us-hhs": [3],
    "us-usda": [2],
    "us-ed": [4],
    "us-doe": [7],
    "us-epa": [6, 12],
    "us-dot": [9, 11],
}

AGENCY_SECTORS: dict[str, str] = {
    "us-dod": "Defence",
    "us-doe": "Energy",
    "us-hhs": "Health",
    "us-nsf": "Science and engineering",
    "nasa": "Aerospace",
    "us-doc": "Standards, oceans and atmosphere",
    "us-usda": "Agriculture and food",
    "us-dhs": "Homeland security",
    "us-dot": "Transportation",
    "us-epa": "Environment",
    "us-ed": "Education",
}

SOURCES = ("nasa-technologies", "nasa-software", "nasa-patents", "sbir-topics")


@dataclass(frozen=True)
class DemoAsset:
    source: str
    actor: str  # username of the account that registers it
    data: AssetData


@dataclass(frozen=True)
class DemoNeed:
    source: str
    actor: str
    data: NeedData
    status: str = "open"


# ---- normalisers ------------------------------------------------------------

# NASA was founded in 1958: no NASA patent expired before it, so an earlier year
# is a two-digit year that wrapped into the wrong century (1930 means 2030).
_FIRST_PLAUSIBLE_YEAR = 1958


def patent_expiry(text: str) -> date | None:
    """A date of the NASA patent list, or None for '', '0000-00-00' or nonsense.

    Slashed dates are MM/DD/YYYY unless the first part cannot be a month (then
    DD/MM/YYYY): in the list 639 dates can only be read month first and none
    only day first, so an ambiguous one is read month first.
    """
    text = text.strip()
    if match := re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", text):
        year, month, day = (int(g) for g in match.groups())
    elif match := re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", text):
        first, second, year = (int(g) for g in match.groups())
        month, day = (second, first) if first > 12 else (first, second)
    else:
        return None
    if year == 0:
        return None
    if year < _FIRST_PLAUSIBLE_YEAR:
        year += 100
    try:
        return date(year, month, day)
    except ValueError:
        return None


def patent_number(text: str) -> str:
    """'8675922' → '8,675,922'; 'RE43,880' and 'D628,609' keep their prefix; '0'/'' → ''."""
    compact = re.sub(r"[\s,]", "", text).upper()
    match = re.fullmatch(r"([A-Z]*)(\d+)", compact)
    if not match or int(match.group(2)) == 0:
        return ""
    return f"{match.group(1)}{int(match.group(2)):,}"


def application_number(text: str) -> str:
    """A U.S. application serial number as SS/NNN,NNN: '13/033085' → '13/033,085',
    '11/5,624' → '11/005,624'; '/0', '/' and '' → ''."""
    series, _, serial = re.sub(r"\s", "", text).partition("/")
    digits = re.sub(r"\D", "", serial)
    if not re.fullmatch(r"\d{2}", series) or not digits or int(digits) == 0 or len(digits) > 6:
        return ""
    digits = digits.zfill(6)
    return f"{series}/{digits[:3]},{digits[3:]}"


_MONTHS = {
    name: number
    for number, name in enumerate(
        ["january", "february", "march", "april", "may", "june", "july",
         "august", "september", "october", "november", "december"],
        start=1,
    )
}


def sbir_date(text: str) -> date | None:
    """'March 21, 2018' → 2018-03-21 (read without the process locale); else None."""
    match = re.fullmatch(r"([A-Za-z]+)\s+(\d{1,2}),\s*(\d{4})", text.strip())
    if not match or match.group(1).lower() not in _MONTHS:
        return None
    try:
        return date(int(match.group(3)), _MONTHS[match.group(1).lower()], int(match.group(2)))
    except ValueError:
        return None


def shorten(text: str, limit: int) -> str:
    """The text if it fits, else its longest run of whole sentences that does
    (or whole words and an ellipsis when even the first sentence is too long)."""
    text = text.strip()
    if len(text) <= limit:
        return text
    head = text[:limit]
    end = max(head.rfind(". "), head.rfind(".\n"))
    if end > limit // 3:
        return head[: end + 1]
    return head[: limit - 1].rsplit(" ", 1)[0] + "…"


def _one_line(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


# ---- readers ----------------------------------------------------------------


def _jsonl(path: Path) -> list[dict]:
    opener = lzma.open if path.suffix == ".xz" else gzip.open
    with opener(path, "rt", encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def _keyword(text: str) -> str:
    return _one_line(text).lower()[:40]


def nasa_technologies() -> list[DemoAsset]:
    """Technologies NASA offers for licence (TOPS summaries)."""
    records = []
    for row in _jsonl(DATA_DIR / "nasa_t2_portfolio" / "nasa_t2_patent.jsonl.gz"):
        case = row["case_number"].strip()
        category = _keyword(row["category"])
        keywords = [k for k in (category, _keyword(row["subcategory"])) if k]
        details = (
            f"NASA case number {case}, listed for licensing by the NASA Technology Transfer "
            f"Program: https://technology.nasa.gov/patent/{case}"
        )
        records.append(DemoAsset("nasa-technologies", CURATOR, AssetData(
            kind="technology",
            title=_one_line(row["title"]),
            summary=shorten(row["abstract"], 2000),
            details=details,
            owner_org=CENTRES[row["center"]],
            sdgs=CATEGORY_SDGS.get(category, []),
            keywords=keywords,
            countries_developed=["US"],
            availability=["licence"],
            reference=case,
        )))
    return records


def nasa_software() -> list[DemoAsset]:
    """NASA's software catalogue: open source is free, other releases need an agreement."""
    records = []
    for row in _jsonl(DATA_DIR / "nasa_t2_portfolio" / "nasa_t2_software.jsonl.gz"):
        case = row["case_number"].strip()
        category = _keyword(row["category"])
        release = _one_line(row["release_type"])
        description = row["description"].strip()
        summary = shorten(description, 2000)
        lines = [description] if summary != description else []
        lines.append(f"Release type: {release}.")
        if row["repository_url"].strip():
            lines.append(f"Repository: {row['repository_url'].strip()}")
        lines.append(f"NASA software catalogue: https://software.nasa.gov/software/{case}")
        records.append(DemoAsset("nasa-software", CURATOR, AssetData(
            kind="technology",
            title=_one_line(row["title"]),
            summary=summary,
            details="\n\n".join(lines),
            owner_org=CENTRES[row["center"]],
            sdgs=CATEGORY_SDGS.get(category, []),
            keywords=[k for k in (category, _keyword(re.sub(r"\s*\(.*\)", "", release))) if k],
            countries_developed=["US"],
            availability=["open"] if release.lower() == "open source" else ["licence"],
            reference=case,
            ip_records=[IpRecordData(office="OTHER", number=case, kind="software", status="granted")],
        )))
    return records


def _patent_ip_record(row: dict, *, today: date) -> IpRecordData | None:
    """The U.S. record of one row. A patent number means the patent issued, even
    where the list's status still says Application; a right whose expiry date
    has passed has expired."""
    number, serial = patent_number(row["Patent Number"]), application_number(row["Application SN"])
    expiry = patent_expiry(row["Patent Expiration Date"])
    if not number and not serial:
        return None
    status = "granted" if number else "pending"
    if expiry and expiry < today:
        status = "expired"
    return IpRecordData(
        office="US",
        number=number or serial,
        kind="design" if number.startswith("D") else "patent",
        status=status,
        expiry_date=expiry,
    )


def _patent_summary(record: IpRecordData | None, centre: str, case: str) -> str:
    where = f"({centre}, NASA case {case})"
    if record is None:
        return f"NASA patent application {where}; the list gives no application number."
    if "/" in record.number:  # an application serial number: no patent yet
        text = f"NASA patent application US {record.number} {where}"
        ending = f"; the list gives {record.expiry_date.isoformat()} as its expiry date." if record.expiry_date else "."
        return text + ending
    text = f"NASA patent US {record.number} {where}"
    if record.expiry_date is None:
        return text + "."
    verb = "expired on" if record.status == "expired" else "in force until"
    return f"{text}, {verb} {record.expiry_date.isoformat()}."


def nasa_patents(*, today: date) -> list[DemoAsset]:
    """NASA's patents and patent applications (data.nasa.gov list)."""
    with gzip.open(DATA_DIR / "nasa_patents_datagov" / "NASA_Patents.csv.gz", "rt", encoding="utf-8") as handle:
        rows = list(csv.DictReader(io.StringIO(handle.read())))
    records = []
    for row in rows:
        case = row["Case Number"].strip()
        centre = _one_line(row["Center"])
        record = _patent_ip_record(row, today=today)
        serial = application_number(row["Application SN"])
        details = [f"NASA case number {case}, {centre}."]
        if serial and record and record.number != serial:
            details.append(f"U.S. application serial number {serial}.")
        details.append("Source: the NASA Patents list published on data.nasa.gov.")
        records.append(DemoAsset("nasa-patents", CURATOR, AssetData(
            kind="patent",
            title=_one_line(row["Title"]),
            summary=_patent_summary(record, centre, case),
            details=" ".join(details),
            owner_org=CENTRES[centre],
            countries_developed=["US"],
            availability=["licence"] if record is None or record.status != "expired" else [],
            reference=case,
            ip_records=[record] if record else [],
        )))
    return records


def merge_by_reference(records: list[DemoAsset]) -> list[DemoAsset]:
    """One asset per (owner, case number): a later record with a case number
    already seen adds only its IP records to the first one."""
    merged: dict[tuple[str, str], DemoAsset] = {}
    for record in records:
        key = (record.data.owner_org, record.data.reference)
        first = merged.get(key)
        if first is None:
            merged[key] = record
            continue
        extra = [r for r in record.data.ip_records if r not in first.data.ip_records]
        merged[key] = replace(first, data=replace(first.data, ip_records=[*first.data.ip_records, *extra]))
    return list(merged.values())


def sbir_needs() -> list[DemoNeed]:
    """SBIR/STTR topics as the agencies' needs, with their real (past) closing dates."""
    records = []
    for row in _jsonl(DATA_DIR / "sbir_topics_needs" / "sbir_sttr_topics_fy2008_2018.jsonl.xz"):
        agency = row["agency"].split(";")[0].strip()
        org = AGENCIES[agency]
        dates = [
            f"{label} {parsed.isoformat()}"
            for label, value in (("released", row["release_date"]), ("opened", row["open_date"]), ("closed", row["close_date"]))
            if (parsed := sbir_date(value))
        ]
        footer = [f"Agency: {row['agency']}.", f"Programme: {row['program'].replace('; ', ' / ')}, {row['phase'].replace('; ', ' and ')}."]
        if dates:
            footer.append("Topic " + ", ".join(dates) + ".")
        if row["url"].strip():
            footer.append(f"Solicitation: {row['url'].strip()}")
        footer.append("Source: SBIR.gov closed topics, FY2008–2018.")
        records.append(DemoNeed("sbir-topics", CURATOR, NeedData(
            title=_one_line(row["topic_title"]),
            description=row["description"].strip() + "\n\n" + "\n".join(footer),
            seeker_org=org,
            sdgs=AGENCY_SDGS.get(org, []),
            countries=["US"],
            sector=AGENCY_SECTORS[org],
            # STTR topics ask small businesses to team up with a research institution.
            deal_types=["funding", "collaboration"] if "STTR" in row["program"] else ["funding"],
            deadline=sbir_date(row["close_date"]),
            reference=row["topic_id"],
        ), status="closed"))
    return records
