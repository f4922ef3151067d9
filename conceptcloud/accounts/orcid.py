"""ORCID iD and ROR id checks (ISO 7064 MOD 11-2; ROR's base-32 with checksum)."""

from __future__ import annotations

import re

_ORCID = re.compile(r"^(\d{4})-(\d{4})-(\d{4})-(\d{3}[\dX])$")
_ROR = re.compile(r"^0[a-hj-km-np-tv-z0-9]{6}\d{2}$")
_CROCKFORD = "0123456789abcdefghjkmnpqrstvwxyz"


def orcid_is_valid(value: str) -> bool:
    """True for a well-formed ORCID iD whose last character is its MOD 11-2 check digit."""
    match = _ORCID.match(value)
    if not match:
        return False
    digits = "".join(match.groups())
    total = 0
    for char in digits[:-1]:
        total = (total + int(char)) * 2
    check = (12 - total % 11) % 11
    expected = "X" if check == 10 else str(check)
    return digits[-1] == expected


def ror_is_valid(value: str) -> bool:
    """True for a ROR id ('0' + 6 base-32 chars + 2-digit ISO 7064 MOD 97-10 checksum)."""
    if not _ROR.match(value):
        return False
    number = 0
    for char in value[1:7]:
        number = number * 32 + _CROCKFORD.index(char)
    return int(value[7:]) == 98 - (number * 100) % 97
