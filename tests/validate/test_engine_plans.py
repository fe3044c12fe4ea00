"""Rules that hand back query plans: collected together, and a broken plan blames only its own rule."""

from __future__ import annotations

from collections.abc import Iterable

import polars as pl

from csctools.io.result import ReturnData
from csctools.validate.catalogue import catalogue
from csctools.validate.context import Context
from csctools.validate.engine import validate
from csctools.validate.registry import Failures, Registry, Rule, condition_check
from csctools.validate.run import DATASETS
from csctools.years import CollectionYear
from tests.rules.harness import typed

YEAR = CollectionYear(2026)


def _rule(code: str, check: object) -> Rule:
    return Rule("ssda903", catalogue("ssda903")[code], check, frozenset())  # type: ignore[arg-type]


def _late(ctx: Context) -> Iterable[Failures]:
    yield Failures("Episodes", ctx.lazy("Episodes").filter(pl.col("DECOM") > ctx.end), ("DECOM",))


def _broken(ctx: Context) -> Iterable[Failures]:
    yield Failures("Episodes", ctx.lazy("Episodes").filter(pl.col("NO_SUCH_COLUMN") > 1))


def _worked_out(ctx: Context) -> Iterable[Failures]:  # rows found eagerly, handed back as a plan over them
    yield Failures("Header", ctx.table("Header").filter(pl.col("SEX").is_null()).lazy(), ("SEX",))


def test_plans_collected_together_and_a_broken_plan_blames_its_rule_only() -> None:
    tables = typed(
        "ssda903",
        {
            "Header": [{"CHILD": "1", "SEX": None}, {"CHILD": "2", "SEX": "M"}],
            "Episodes": [{"CHILD": "1", "DECOM": "01/05/2026"}, {"CHILD": "2", "DECOM": "01/05/2025"}],
        },
    )
    registry = Registry()
    for code, check in (("101", _late), ("102", _broken), ("103", _worked_out)):
        registry.add(_rule(code, check))
    model, key = DATASETS["ssda903"]
    result = validate(ReturnData("ssda903", YEAR, tables, []), model, YEAR, key, registry=registry)
    status = {o.code: (o.status, o.failures) for o in result.outcomes if o.code in ("101", "102", "103")}
    assert status["101"] == ("failed", 1)
    assert status["102"][0] == "could not run"
    assert status["103"] == ("failed", 1)
    late = result.errors.filter(pl.col("rule_code") == "101")
    assert late.select("table", "row_number", "child_id", "field", "value").rows() == [
        ("Episodes", 2, "1", "DECOM", "01/05/2026")  # as the file writes it
    ]


def test_conditions_over_one_named_frame_share_it_and_a_broken_one_blames_its_rule_only() -> None:
    built: list[int] = []

    def episodes(ctx: Context) -> pl.DataFrame:
        built.append(1)
        return ctx.table("Episodes")

    conditions = {
        "101": lambda ctx: pl.col("DECOM") > ctx.end,  # the first episode: starts after the year
        "102": lambda ctx: pl.col("NO_SUCH_COLUMN") > 1,  # broken
        "103": lambda ctx: pl.col("CHILD") == "2",
    }
    registry = Registry()
    for code, condition in conditions.items():
        registry.add(_rule(code, condition_check("Episodes", episodes, condition, ("DECOM",), source="episodes")))
    tables = typed(
        "ssda903", {"Episodes": [{"CHILD": "1", "DECOM": "01/05/2026"}, {"CHILD": "2", "DECOM": "01/05/2025"}]}
    )
    model, key = DATASETS["ssda903"]
    result = validate(ReturnData("ssda903", YEAR, tables, []), model, YEAR, key, registry=registry)
    status = {o.code: (o.status, o.failures, o.reason) for o in result.outcomes if o.code in conditions}
    assert status["101"] == ("failed", 1, "")
    assert status["102"][0] == "could not run" and "NO_SUCH_COLUMN" in status["102"][2]
    assert status["103"] == ("failed", 1, "")
    assert len(built) == 1  # the frame the three rules name is built once
    assert result.errors.select("rule_code", "row_number", "child_id").rows() == [("101", 2, "1"), ("103", 3, "2")]
