"""ORCID iD (ISO 7064 MOD 11-2) and ROR id (MOD 97-10) checks."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conceptcloud.accounts.orcid import orcid_is_valid, ror_is_valid


@pytest.mark.parametrize(
    "orcid",
    ["0000-0002-1825-0097", "0000-0001-5109-3700", "0000-0002-1694-233X", "0000-0003-1415-9269"],
)
def test_real_orcid_ids_are_valid(orcid):
    assert orcid_is_valid(orcid)


@pytest.mark.parametrize(
    "orcid",
    [
        "0000-0002-1825-0098",  # wrong check digit
        "0000-0002-1694-2330",  # X expected
        "0000-0002-1694-233x",  # lower-case x is not the standard form
        "0000000218250097",  # no hyphens
        "0000-0002-1825-009",  # too short
        "https://orcid.org/0000-0002-1825-0097",
        "",
    ],
)
def test_malformed_or_mistyped_orcid_ids_are_refused(orcid):
    assert not orcid_is_valid(orcid)


def _orcid(digits: str) -> str:
    """The ORCID iD for 15 base digits, with its MOD 11-2 check character."""
    total = 0
    for char in digits:
        total = (total + int(char)) * 2
    check = (12 - total % 11) % 11
    full = digits + ("X" if check == 10 else str(check))
    return "-".join(full[i:i + 4] for i in range(0, 16, 4))


@given(st.text(alphabet="0123456789", min_size=15, max_size=15))
def test_every_correctly_computed_orcid_is_valid(digits):
    assert orcid_is_valid(_orcid(digits))


@given(
    st.text(alphabet="0123456789", min_size=15, max_size=15),
    st.integers(min_value=0, max_value=14),
    st.integers(min_value=1, max_value=9),
)
def test_any_single_mistyped_digit_is_caught(digits, position, shift):
    valid = _orcid(digits)
    check = valid[-1]
    changed = digits[:position] + str((int(digits[position]) + shift) % 10) + digits[position + 1:]
    mistyped = _orcid(changed)[:-1] + check
    assert not orcid_is_valid(mistyped)


@pytest.mark.parametrize("ror", ["02kpeqv85", "057zh3y96", "03vek6s52", "00f54p054", "042nb2s44", "01an7q238"])
def test_real_ror_ids_are_valid(ror):
    assert ror_is_valid(ror)


@pytest.mark.parametrize(
    "ror",
    [
        "02kpeqv86",  # wrong checksum
        "12kpeqv85",  # must start with 0
        "02kpeqi85",  # i is not in Crockford's base 32
        "02KPEQV85",  # ROR ids are lower case
        "02kpeqv8",
        "https://ror.org/02kpeqv85",
        "",
    ],
)
def test_malformed_or_mistyped_ror_ids_are_refused(ror):
    assert not ror_is_valid(ror)
