"""Postcode look-ups: the per-area parquet cache, stale caches removed, the in-memory fallback agreeing."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pytest

from csctools.reference import postcodes
from csctools.reference.authorities import find_authority, postcodes_in

pytestmark = pytest.mark.skipif(not postcodes.available(), reason="the ONS postcode package is not installed")


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("CSCTOOLS_CACHE", str(tmp_path))
    folders = postcodes._letter_folder  # a test may replace it
    folders.cache_clear()
    yield tmp_path / "csctools" / "postcodes"
    folders.cache_clear()


def _known() -> list[str]:
    leeds = [p.postcode for p in postcodes_in(find_authority("383"))[:5]]
    bradford = [p.postcode for p in postcodes_in(find_authority("380"))[:5]]
    return leeds + bradford


def test_lookup_finds_known_postcodes_across_areas(cache: Path) -> None:
    wanted = pl.Series([*_known(), "ZZ99 9ZZ", None, "ls1 4ap"])
    found = postcodes.lookup(wanted)
    keys = set(found["KEY"].to_list())
    assert {p.replace(" ", "").upper() for p in _known()} <= keys
    assert "ZZ999ZZ" not in keys
    assert found["LAUA"].null_count() == 0 and found["EAST"].min() > 0
    assert (cache / "done").exists() is False and any(cache.glob(f"postcodes_L-{postcodes.CACHE_FORMAT}-*/done"))


def test_cache_and_memory_paths_agree(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    wanted = pl.Series(_known())
    from_cache = postcodes.lookup(wanted).sort("KEY")
    monkeypatch.setattr(postcodes, "_letter_folder", lambda letter: None)  # as if the cache could not be written
    in_memory = postcodes.lookup(wanted).sort("KEY")
    assert from_cache.height == len(wanted) and from_cache.equals(in_memory)


def test_stale_cache_of_a_letter_is_replaced(cache: Path) -> None:
    stale = cache / "postcodes_L-old-format"
    stale.mkdir(parents=True)
    (stale / "done").write_text("ok\n")
    postcodes.lookup(pl.Series(["LS1 4AP"]))
    assert not stale.exists()
    assert len(list(cache.glob("postcodes_L-*"))) == 1


def test_la_index_and_area_files_agree(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The LA index of a letter finds what the area files find: known postcodes however they are written, the
    unknown and the malformed not at all."""
    written = [*_known(), "ls1 4ap", " LS14AP ", "LS99 9ZZ", "L", "LS1 4AP 9", "LSé 4AP", "BD1"]
    from_index = postcodes.local_authorities(pl.Series(written)).sort("KEY")
    assert any(cache.glob(f"postcodes_L-{postcodes.CACHE_FORMAT}-*/{postcodes.INDEX_FILE}"))
    monkeypatch.setattr(postcodes, "_from_index", lambda folder, wanted: None)
    from_areas = postcodes.local_authorities(pl.Series(written)).sort("KEY")
    assert from_index.equals(from_areas)
    assert set(from_index["KEY"]) == {p.replace(" ", "").upper() for p in _known()} | {"LS14AP"}


def test_postcode_numbers_differ_for_different_postcodes() -> None:
    """Worked by hand: 'A' is 11 * 37**6; a longer key adds its characters' values below."""
    keys = pl.Series(["A", "A1", "AB", "A11", "ZZ999ZZ", "A#", "ABCDEFGH"])
    numbers = pl.select(postcodes.key_codes(pl.lit(keys))).to_series().to_list()
    assert numbers[:4] == [
        11 * 37**6,
        11 * 37**6 + 2 * 37**5,
        11 * 37**6 + 12 * 37**5,
        11 * 37**6 + 2 * 37**5 + 2 * 37**4,
    ]
    assert numbers[4] == sum(v * 37 ** (6 - i) for i, v in enumerate([36, 36, 10, 10, 10, 36, 36]))
    assert numbers[5:] == [None, None]


def test_grid_index_and_area_files_agree(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`lookup` through a letter's grid index finds what the area files find, grid references included: known
    postcodes however they are written, the unknown and the malformed (a zero byte, too long) not at all. A cache
    made before the grid index existed gains it."""
    written = [*_known(), "ls1 4ap", " LS14AP ", "LS99 9ZZ", "L", "LS1 4AP 9", "LS1\x004AP", "LSé 4AP", "BD1", None]
    from_grid = postcodes.lookup(pl.Series(written)).sort("KEY")
    grids = list(cache.glob(f"postcodes_L-{postcodes.CACHE_FORMAT}-*/{postcodes.GRID_FILE}"))
    assert len(grids) == 1
    grids[0].unlink()  # as a cache written before grid indexes
    assert postcodes.lookup(pl.Series(written)).sort("KEY").equals(from_grid) and grids[0].exists()
    monkeypatch.setattr(postcodes, "_grid_index", lambda folder: None)
    from_areas = postcodes.lookup(pl.Series(written)).sort("KEY")
    assert from_grid.equals(from_areas) and from_grid["EAST"].null_count() == 0
    assert set(from_grid["KEY"]) == {p.replace(" ", "").upper() for p in _known()} | {"LS14AP"}


def test_grid_numbers_are_the_bytes_of_the_key() -> None:
    """Worked by hand: 'A' is byte 65 in the highest of eight; a key of seven characters fills all but the lowest."""
    keys = pl.Series(["A", "AB", "ZZ999ZZ", "A\x00", "ABCDEFGH", "é"])
    numbers = pl.select(postcodes.grid_codes(pl.lit(keys))).to_series().to_list()
    assert numbers[0] == 65 << 56 and numbers[1] == (65 << 56) + (66 << 48)
    assert numbers[2] == int.from_bytes(b"ZZ999ZZ\x00", "big")
    assert numbers[3:] == [None, None, None]  # a zero byte, eight characters, a character beyond ASCII
