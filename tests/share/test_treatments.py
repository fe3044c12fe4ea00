"""Each treatment on small frames worked out by hand."""

from __future__ import annotations

import hashlib
import hmac
from datetime import date

import polars as pl

from csctools.share.policy import Treatment
from csctools.share.treat import pseudonym_map, shift_days, treat

KEY = bytes(range(32))
OTHER_KEY = bytes(range(1, 33))
ON = date(2026, 3, 31)


def run(values: list[object], treatment: Treatment, dtype: type[pl.DataType] | None = None) -> list[object]:
    frame = pl.DataFrame({"v": values}, schema={"v": dtype} if dtype else None)
    return treat(frame, "v", treatment, KEY, None, ON, (1, 5, 10, 16)).to_list()


def test_pseudonym_is_hmac_sha256_of_the_normalised_value_under_the_key() -> None:
    # RFC 2104 HMAC-SHA256 over "upn\0A123456789012", the first 16 hex digits upper-cased
    expected = hmac.new(KEY, b"upn\x00A123456789012", hashlib.sha256).hexdigest()[:16].upper()
    out = pseudonym_map(pl.Series(["A123456789012", "a123 456789012", None]), KEY, "upn").to_list()
    assert out == [expected, expected, None]


def test_pseudonyms_are_the_standard_librarys_hmac_for_any_key_length() -> None:
    # the digest is built from two hash states (RFC 2104 by hand): checked against hmac.new for keys shorter than,
    # as long as and longer than SHA-256's 64-byte block (a longer key is hashed first), and the empty key
    values = ["C3830001", "A123456789012", "\u00e9l\u00e8ve 7", ""]
    for key in (b"", b"k", bytes(range(32)), bytes(range(64)), bytes(range(65)), bytes(200)):
        out = pseudonym_map(pl.Series(values), key, "child").to_list()
        expected = [
            hmac.new(key, b"child\x00" + v.upper().replace(" ", "").encode(), hashlib.sha256).hexdigest()[:16].upper()
            for v in values
        ]
        assert out == expected, key


def test_same_key_links_other_key_does_not() -> None:
    upns = pl.Series([f"A{n:012d}" for n in range(500)])
    first, again = pseudonym_map(upns, KEY, "upn"), pseudonym_map(upns, KEY, "upn")
    other = pseudonym_map(upns, OTHER_KEY, "upn")
    assert first.to_list() == again.to_list()
    assert first.n_unique() == 500
    assert not set(first.to_list()) & set(other.to_list())
    # another domain (a child id with the same text) does not give the UPN's pseudonym
    assert not set(first.to_list()) & set(pseudonym_map(upns, KEY, "child").to_list())


def test_month_postcodes_and_groups() -> None:
    assert run([date(2025, 3, 17), date(2025, 4, 1), None], Treatment("month")) == [
        date(2025, 3, 1),
        date(2025, 4, 1),
        None,
    ]
    postcodes = ["LS2 7BS", "ls27bs", "EC1A 1BB", "W1A 0AX", "XYZ", None]
    assert run(postcodes, Treatment("sector")) == ["LS2 7", "LS2 7", "EC1A 1", "W1A 0", None, None]
    assert run(postcodes, Treatment("district")) == ["LS2", "LS2", "EC1A", "W1A", None, None]
    grouped = Treatment("group", groups={"U1": "foster", "U4": "foster", "K2": "home"}, other="other")
    assert run(["U1", "K2", "U4", "R1", None], grouped) == ["foster", "home", "foster", "other", None]


def test_age_band_and_year_of_birth_at_31_march() -> None:
    births = [date(2016, 3, 31), date(2016, 4, 1), date(2025, 4, 1), date(2010, 3, 31), date(2009, 12, 1), None]
    # ages on 31 March 2026: 10, 9, 0, 16, 16
    assert run(births, Treatment("age_band")) == ["10-15", "5-9", "under 1", "16 and over", "16 and over", None]
    assert run(births, Treatment("year_of_birth")) == [2016, 2016, 2025, 2010, 2009, None]


def test_shift_moves_every_date_of_a_child_by_one_offset_and_keeps_intervals() -> None:
    frame = pl.DataFrame(
        {
            "CHILD": ["a", "a", "a", "b", "b", "c"],
            "DECOM": [date(2025, 4, 1), date(2025, 6, 1), date(2025, 12, 25), date(2025, 5, 5), date(2026, 1, 1), None],
        }
    )
    offsets = shift_days(frame["CHILD"], KEY, 30)
    shifted = treat(frame, "DECOM", Treatment("shift"), KEY, offsets, ON, (1,))
    moved = (shifted - frame["DECOM"]).dt.total_days().to_list()
    assert moved[0] == moved[1] == moved[2] and moved[3] == moved[4] and moved[5] is None
    assert all(-30 <= m <= -1 for m in moved[:5])  # always earlier: the return stays in its collection year
    # intervals between a child's events are unchanged
    assert (shifted[2] - shifted[0]).days == (date(2025, 12, 25) - date(2025, 4, 1)).days
    # the offset never is zero and takes every value of its range, over many children
    many = shift_days(pl.Series([f"child{n}" for n in range(2000)]), KEY, 90).to_list()
    assert set(many) == set(range(-90, 0))
