"""Withdrawal codes people can type, and numbers typed with a decimal comma or point."""

from __future__ import annotations

import math
import os

import pytest

from afstand.responses.codes import ALPHABET, CodeTypo, make_code, read_code
from afstand.responses.numbers import AmbiguousNumber, NumberError, canonical_number, parse_number


def test_codes_have_80_bits_and_read_forgivingly():
    codes = {make_code(os.urandom(10)) for _ in range(500)}
    assert len(codes) == 500
    for code in list(codes)[:50]:
        groups = code.split("-")
        assert [len(g) for g in groups] == [4, 4, 4, 4, 1] and set("".join(groups)) <= set(ALPHABET)
        assert 16 * math.log2(len(ALPHABET)) >= 80
        assert read_code(code) == code
        assert read_code(" " + code.lower().replace("-", " ") + " ") == code
        assert read_code(code.replace("-", "")) == code
        assert read_code(code.replace("0", "o").replace("1", "l")) == code  # letters read as the digits they look like


def test_every_single_wrong_character_is_a_typo():
    code = make_code(os.urandom(10))
    compact = code.replace("-", "")
    for i in range(len(compact)):
        for c in ALPHABET:
            if c != compact[i]:
                with pytest.raises(CodeTypo):
                    read_code(compact[:i] + c + compact[i + 1 :])


def test_neighbour_swaps_are_typos_and_other_shapes_are_not_codes():
    caught = total = 0
    for _ in range(200):
        compact = make_code(os.urandom(10)).replace("-", "")
        for i in range(len(compact) - 1):
            if compact[i] == compact[i + 1]:
                continue
            total += 1
            try:
                read_code(compact[:i] + compact[i + 1] + compact[i] + compact[i + 2 :])
            except CodeTypo:
                caught += 1
    assert caught / total > 0.99  # Luhn mod 32 misses only the swap of 0 and Z
    assert read_code("AAAA-AAAA-AAAA-AAAA-AAA1") is None and read_code("") is None and read_code("ÄÄÄÄ") is None


@pytest.mark.parametrize(
    "typed, value",
    [
        ("0,5", 0.5),
        ("0.5", 0.5),
        ("1,5", 1.5),
        (",5", 0.5),
        ("-2", -2.0),
        (" 3 ", 3.0),
        ("1\u00a0000", 1000.0),
        ("12,", 12.0),
        ("\u22124", -4.0),
    ],
)
def test_numbers_with_comma_or_point(typed, value):
    assert parse_number(typed) == value


@pytest.mark.parametrize("typed", ["1.000,5", "1,000.5", "0,5,1", "een", "5e3", "inf", "nan", "0x10", "", "1/2", "--1"])
def test_what_is_not_one_number_is_refused(typed):
    with pytest.raises(NumberError):
        parse_number(typed)


def test_canonical_text():
    assert canonical_number("0,5") == "0.5" and canonical_number("12,0") == "12" and canonical_number("7", integer=True) == "7"
    with pytest.raises(NumberError):
        canonical_number("4,5", integer=True)


@pytest.mark.parametrize("typed, value", [("1 000", 1000.0), ("12 345,5", 12345.5), ("0,500", 0.5), ("1,50", 1.5), ("2,1250", 2.125)])
def test_spaces_only_between_groups_of_three_and_no_ambiguous_thousands(typed, value):
    assert parse_number(typed) == value


@pytest.mark.parametrize("typed", ["1.000", "1,000", "1.500", "-12.345", "999,999"])
def test_a_thousands_group_with_one_separator_is_ambiguous_never_read(typed):
    """``1.000`` is a thousand to a Dutch reader and one to an English one: refused, never 1."""
    with pytest.raises(AmbiguousNumber):
        parse_number(typed)


@pytest.mark.parametrize("typed", ["3 5", "1 2 3", "12 34", "1 0000", "3 5,5"])
def test_digits_split_by_a_space_are_not_one_number(typed):
    """``3 5`` is not 35: a space only separates groups of three digits."""
    with pytest.raises(NumberError):
        parse_number(typed)
