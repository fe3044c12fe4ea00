"""A call in a worker process gives what the call gives here; a failing or unpicklable call is made here."""

from __future__ import annotations

import os
from datetime import date
from functools import partial

import pytest

from csctools.indicators.benchmark import Row
from csctools.indicators.charts import draw_many, trend_svg
from csctools.indicators.worker import Worker


def test_the_call_runs_in_another_process() -> None:
    assert Worker(os.getpid).result() != os.getpid()
    assert Worker(divmod, 17, 5).result() == (3, 2)


def test_a_call_that_raises_is_made_here_and_raises_here() -> None:
    with pytest.raises(ZeroDivisionError):
        Worker(divmod, 1, 0).result()


def test_an_unpicklable_call_is_made_here() -> None:
    here = os.getpid()
    assert Worker(lambda: os.getpid()).result() == here


def _rows(shift: float) -> list[Row]:
    fields = {name: None for name in Row._fields}
    return [
        Row(
            **{
                **fields,
                "indicator": "X",
                "unit": "percent",
                "source": "LAIT",
                "period_end": date(year, 3, 31),
                "value": 10.0 + shift + year % 7,
                "england": 12.0,
                "region": 11.0,
                "sn_average": 13.0,
            }
        )
        for year in range(2019, 2025)
    ]


def test_charts_drawn_in_two_processes_are_the_charts_drawn_in_one() -> None:
    jobs = [partial(trend_svg, _rows(k), "Leeds", f"X{k}") for k in range(4)]
    alone = draw_many(jobs, parallel_jobs=len(jobs) + 1)
    shared = draw_many(jobs, parallel_jobs=1)
    assert shared == alone and all(svg.startswith("<svg") for svg in alone) and len(set(alone)) == 4


def test_a_spare_worker_warms_up_then_makes_the_call_sent_later() -> None:
    from csctools.indicators.worker import Spare

    spare = Spare("os:getpid")  # its warm-up: any function of no arguments
    assert spare.call(divmod, 17, 5).result() == (3, 2)
    assert spare.process is None and spare.call(divmod, 9, 2).result() == (4, 1)  # used: the call is made afresh
    unused = Spare("csctools.indicators.worker:no_such_function")  # a warm-up that fails costs only its time
    assert unused.process is not None
    unused.close()
    assert unused.process is None and unused.call(divmod, 7, 2).result() == (3, 1)


def test_charts_shared_with_a_spare_are_the_charts_drawn_in_one(monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    from csctools.indicators import charts

    jobs = [partial(trend_svg, _rows(k), "Leeds", f"X{k}") for k in range(3)]
    alone = draw_many(jobs, parallel_jobs=len(jobs) + 1)
    monkeypatch.setattr(os, "cpu_count", lambda: charts.SPARE_FROM_CORES - 1)
    assert charts.get_ready() is None  # no core to spare while the returns are read: no spare
    monkeypatch.setattr(os, "cpu_count", lambda: charts.SPARE_FROM_CORES)
    spare = charts.get_ready()
    assert spare is not None and spare.process is not None
    process = spare.process
    assert draw_many(jobs, spare=spare) == alone
    assert process.returncode == 0  # the spare drew its share (a failed worker's share is drawn here)
