"""The Ofsted provider list: the synthetic one is shaped like Ofsted's, and the reader (with its cache) reads it."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl
import pytest
from python_calamine import CalamineWorkbook

from csctools.datasets.ssda903.read import read_903
from csctools.reference import postcodes
from csctools.reference.authorities import authority_of_postcode
from csctools.reference.providers import read_providers
from csctools.synth.providers import HEADERS


@pytest.fixture()
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("CSCTOOLS_CACHE", str(folder))
    return folder


def sheet_rows(path: Path) -> list[list[object]]:
    """The workbook's cells as python-calamine gives them (independently of read_providers)."""
    book = CalamineWorkbook.from_path(str(path))
    return book.get_sheet_by_name(book.sheet_names[0]).to_python()


def test_the_synthetic_list_is_national_and_holds_every_placement(year_folder: Path) -> None:
    rows = sheet_rows(year_folder.parent / "ofsted_providers.xlsx")
    assert tuple(rows[0]) == HEADERS
    providers = [dict(zip(HEADERS, row, strict=True)) for row in rows[1:]]
    assert 2_000 <= len(providers) <= 6_000  # a few thousand, as Ofsted's list, whatever the return's size
    assert len({p["URN"] for p in providers}) == len(providers)
    assert len({p["Local authority"] for p in providers}) > 140  # providers across England, not one authority
    by_urn = {p["URN"]: p for p in providers}
    episodes = read_903(sorted((year_folder / "ssda903").glob("*.csv"))).tables["Episodes"]
    placed = episodes.filter(pl.col("URN").is_not_null() & (pl.col("URN") != "XXXXXXX"))
    assert placed.height > 50
    for urn, place, code, pl_post in placed.select("URN", "PLACE", "PLACE_PROVIDER", "PL_POST").iter_rows():
        provider = by_urn[urn]  # every URN used is on the list, open, offering this placement and provider type
        assert place in str(provider["Placement code"]).split(","), (urn, place)
        assert provider["Placement provider code"] == code, (urn, code)
        assert provider["Deregistration date"] == "", urn
        if place in ("K2", "K3"):  # children's homes and supported accommodation: the child lives at the setting
            assert provider["Setting address postcode"] == pl_post, urn
        if code == "PR1":  # own provision is in the authority
            assert authority_of_postcode(str(provider["Setting address postcode"])).number == "383", urn  # type: ignore[union-attr]
    closed = [p for p in providers if p["Deregistration date"]]
    assert closed and not {p["URN"] for p in closed} & set(placed["URN"])


LIST = (
    "URN,Local authority,Placement code,Placement provider code,Deregistration date,Setting address postcode\n"
    " sc100001 ,Leeds,K2; k3,PR4,01/02/2020,ls1 4ap\n"
    ",,,,,\n"
    "SC100002,Leeds,U4/U5,pr5\n"
    "SC100001,Leeds,K2,PR1,,LS1 4AP\n"
)


def test_a_small_list_read_by_hand(tmp_path: Path, cache: Path) -> None:
    path = tmp_path / "providers.csv"
    path.write_text(LIST)
    frame = read_providers(path).sort("URN")
    assert frame["URN"].to_list() == ["SC100001", "SC100002"]  # trimmed, upper case; the blank row left out
    assert frame["PLACE_CODES"].to_list() == [["K2", "K3"], ["U4", "U5"]]
    assert frame["PROVIDER_CODES"].to_list() == [["PR4"], ["PR5"]]  # the first row of a repeated URN is kept
    assert frame["REG_END"].to_list() == [date(2020, 2, 1), None]
    assert frame["POSTCODE"].to_list() == ["LS14AP", None]  # the short row has no postcode
    assert frame["LA_NAME_FROM_FILE"].to_list() == ["Leeds", "Leeds"]


def test_a_list_read_again_comes_from_the_cache(tmp_path: Path, cache: Path) -> None:
    path = tmp_path / "providers.csv"
    path.write_text(LIST)
    first = read_providers(path)
    cached = list((cache / "csctools" / "providers").glob("*.parquet"))
    assert len(cached) == 1
    assert read_providers(path).equals(first)
    path.write_text(LIST.replace("SC100002", "SC100003"))  # a new month's list: read afresh, cached beside
    assert "SC100003" in read_providers(path)["URN"].to_list()
    assert len(list((cache / "csctools" / "providers").glob("*.parquet"))) == 2
    cached[0].write_bytes(b"not parquet")  # a damaged cache file is read past, and replaced
    path.write_text(LIST)
    assert read_providers(path).sort("URN").equals(first.sort("URN"))


@pytest.mark.skipif(not postcodes.available(), reason="the ONS postcode package is not installed")
def test_providers_located_by_postcode(tmp_path: Path, cache: Path) -> None:
    path = tmp_path / "providers.csv"
    path.write_text(LIST)
    located = dict(read_providers(path).select("URN", "LA_CODE_INFERRED").iter_rows())
    assert located == {"SC100001": "E08000035", "SC100002": None}  # LS1 4AP is in Leeds
