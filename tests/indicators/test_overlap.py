"""Indicators computed while the returns are read (`Computation`, `RunUnderWay`, `csc indicators`): whatever order
the returns come in, the results are those computed after all of them are read, including an authority's own
indicator or view that reads a return it does not name."""

from __future__ import annotations

from datetime import date
from itertools import permutations
from pathlib import Path

import pytest

from csctools.indicators.compute import Computation, Period, compute
from csctools.indicators.records import IndicatorSet, load_indicators
from csctools.indicators.run import RunUnderWay, run_indicators
from csctools.io.result import ReturnData
from csctools.read import read_files

PERIOD = Period.ending(date(2026, 3, 31))


@pytest.fixture(scope="module")
def returns(year_folder: Path, synthetic: tuple[Path, object]) -> list[ReturnData]:
    paths = [
        *sorted((year_folder / "ssda903").glob("*.csv")),
        year_folder / "cin_census_2025_26.xml",
        synthetic[0] / "383" / "annex_a_2025_26.xlsx",
    ]
    found, _ = read_files(paths)
    assert [r.dataset for r in found] == ["ssda903", "cin", "annex_a"]
    return found


def with_strays(indicators: IndicatorSet) -> IndicatorSet:
    """The built-in set and three of an authority's own: one naming only the CIN census but reading the 903's
    Header too, one over a view joining the CIN census and the 903, and one whose view can never be made."""
    base = next(i for i in indicators.indicators if i.unit == "count" and i.returns == ("cin",))
    stray = base._replace(
        id="Stray",
        numerator="SELECT d.LAchildID AS child FROM cin.CINdetails d JOIN ssda903.Header h ON h.CHILD = d.LAchildID",
    )
    joined = base._replace(id="Joined", numerator="SELECT child FROM cin_and_903")
    broken = base._replace(id="Broken", numerator="SELECT child FROM never_made")
    views = {
        **indicators.views,
        "cin_and_903": "SELECT h.CHILD AS child FROM ssda903.Header h JOIN cin.CINdetails d ON d.LAchildID = h.CHILD",
        "never_made": "SELECT nonsense AS child FROM cin.CINdetails",
    }
    return IndicatorSet([*indicators.indicators, stray, joined, broken], views, indicators.packs)


@pytest.mark.parametrize("children", [False, True])
def test_any_order_of_arrival_gives_the_results_of_one_computation(returns: list[ReturnData], children: bool) -> None:
    indicators = with_strays(load_indicators())
    expected = compute(returns, indicators.indicators, PERIOD, "383", indicators.views, 10_000.0, children=children)
    by_id = {r.indicator.id: r for r in expected}
    assert by_id["Stray"].computed and by_id["Joined"].computed  # the strays do count something here
    assert by_id["Broken"].status.startswith("could not run: the view never_made could not be made")
    for order in permutations(returns):
        computation = Computation(indicators.indicators, PERIOD, "383", indicators.views, 10_000.0, children=children)
        for data in order:
            computation.add(data)
        assert computation.results() == expected, [d.dataset for d in order]


def test_an_absent_return_is_said_as_before(returns: list[ReturnData]) -> None:
    indicators = load_indicators()
    cin_only = [r for r in returns if r.dataset == "cin"]
    expected = compute(cin_only, indicators.indicators, PERIOD, "383", indicators.views, 10_000.0)
    computation = Computation(indicators.indicators, PERIOD, "383", indicators.views, 10_000.0)
    computation.add(*cin_only)
    found = computation.results()
    assert found == expected
    assert {r.status for r in found if r.indicator.returns == ("ssda903",)} == {
        "not computed: needs the SSDA903 return"
    }


def test_a_run_under_way_is_the_run(returns: list[ReturnData]) -> None:
    indicators = load_indicators()
    whole = run_indicators(returns, [], indicators, "383", "Leeds", PERIOD.end, children=False)
    under_way = RunUnderWay([], indicators, "383", "Leeds", PERIOD.end, children=False)
    for data in reversed(returns):
        under_way.add(data)
    run = under_way.finish(returns)
    assert run._replace(teams=None) == whole._replace(teams=None)
    assert run.teams is not None and whole.teams is not None and run.teams.columns == whole.teams.columns
    assert run.teams.by_team.equals(whole.teams.by_team) and run.teams.by_worker.equals(whole.teams.by_worker)
    with pytest.raises(ValueError, match="the returns that were added"):
        RunUnderWay([], indicators, "383", "Leeds", PERIOD.end).finish(returns)


def test_each_return_is_handed_on_once_as_it_is_read(year_folder: Path, synthetic: tuple[Path, object]) -> None:
    from csctools.cli.indicators import read_in_parallel

    paths = [
        *sorted((year_folder / "ssda903").glob("*.csv")),
        year_folder / "cin_census_2025_26.xml",
        synthetic[0] / "383" / "annex_a_2025_26.xlsx",
    ]
    for worker_bytes in (2**40, 0):  # all in threads; then the CIN XML in a worker process
        arrived: list[ReturnData] = []
        found, _ = read_in_parallel(paths, None, worker_bytes, arrived.extend)
        assert sorted(map(id, arrived)) == sorted(map(id, found)) and len(found) == 3
    arrived = []
    alone, _ = read_in_parallel([year_folder / "cin_census_2025_26.xml"], None, 0, arrived.extend)
    assert arrived == alone and [r.dataset for r in alone] == ["cin"]
