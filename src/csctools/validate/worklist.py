"""The work list every report shares: one row per failure with its fields, guidance and suggestions, one row per
child, rules in the order people read codes (101 < 1000 < 1001, letters after digits)."""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl

from csctools.validate.engine import FAILURE_KEY, Tally, ValidationResult
from csctools.validate.guidance import pack_guidance_of, rule_guidance
from csctools.validate.suggest import suggest

FAILURE_COLUMNS = (
    "rule_code",
    "severity",
    "message",
    "child_id",
    "table",
    "source_file",
    "row_number",
    "fields",
    "check",
    "suggested",
)
_PARTS = re.compile(r"(\D*)(\d*)")


def code_order(code: str) -> tuple[tuple[int, str, int], ...]:
    """Sort key for rule codes: numbers as numbers (101 < 1000 < 1001), codes starting with a letter after those
    starting with a digit, then letters and digits in turn ('INT11' < 'INT101')."""
    key = []
    for text, digits in _PARTS.findall(code):
        if not text and not digits:
            continue
        key.append((1 if text else 0, text, int(digits) if digits else -1))
    return tuple(key)


def ordered_codes(codes: list[str]) -> list[str]:
    return sorted(codes, key=code_order)


def check_text(
    dataset: str, codes: list[str], messages: dict[str, str], pack_guidance: dict[str, str] | None = None
) -> pl.DataFrame:
    """What to check for each rule code: the DfE guidance, else (a pack's rule) its own guidance, else its message."""
    checks = []
    for code in codes:
        message = messages.get(code, "")
        found = rule_guidance(dataset, code, message, (pack_guidance or {}).get(code, ""))
        checks.append(found.check if found is not None else message)
    return pl.DataFrame({"rule_code": codes, "check": checks}, schema={"rule_code": pl.String, "check": pl.String})


def suggestions(result: ValidationResult, providers: pl.DataFrame | None) -> pl.DataFrame:
    """Suggested values, one row per failure: 'FIELD: value (reason)' joined with '; '."""
    found = suggest(result.errors, result.tables, providers, result.dataset)
    keys = ["rule_code", "table", "source_file", "row_number"]
    return found.group_by(keys, maintain_order=True).agg(
        pl.format("{}: {} ({})", "field", "suggested", "reason").str.join("; ").alias("suggested")
    )


def rule_facts(errors: pl.DataFrame, dataset: str, pack_guidance: dict[str, str] | None = None) -> pl.DataFrame:
    """Per rule code of the error table: severity, message, what to check and its place in code order."""
    facts = errors.select("rule_code", "severity", "message").unique("rule_code", keep="first")
    codes = ordered_codes(facts["rule_code"].to_list())
    messages = dict(facts.select("rule_code", "message").iter_rows())
    order = pl.DataFrame({"rule_code": codes, "_order": list(range(len(codes)))})
    return facts.join(check_text(dataset, codes, messages, pack_guidance), on="rule_code").join(order, on="rule_code")


INDEX_KEYS = ["_order", "table", "source_file", "row_number", "child_id"]
CELL = pl.format("{}={}", pl.col("field").fill_null(""), pl.col("value").fill_null("(blank)"))  # as written


def _keyed(errors: pl.DataFrame, order: dict[str, int]) -> pl.LazyFrame:
    """The error table with the rule's place in code order, tables and files as categories: grouping on integers
    and categories rather than text is a fraction of the cost (1.76 million cells: ~1 s)."""
    return errors.lazy().with_columns(
        pl.col("rule_code").replace_strict(order, return_dtype=pl.Int32).alias("_order"),
        pl.col("table", "source_file").cast(pl.Categorical),
    )


def _empty_failures() -> pl.DataFrame:
    empty = {c: pl.Int64 if c == "row_number" else pl.String for c in FAILURE_COLUMNS}
    return pl.DataFrame(schema={**empty, "_order": pl.Int32})


def _packed_key(keyed: pl.DataFrame) -> pl.Expr | None:
    """INDEX_KEYS of `keyed` (rule order, table, file and child as categories, row) as one UInt64 that is equal
    exactly when all five are (each part offset by one, a null as 0, in as many bits as its largest value needs);
    None when they do not fit in 64 bits or a row number is negative (then the caller compares the columns)."""
    parts = [
        pl.col("_order").cast(pl.UInt64),
        *((pl.col(c).to_physical().cast(pl.UInt64) + 1).fill_null(0) for c in ("table", "source_file", "child_id")),
        (pl.col("row_number").cast(pl.UInt64, strict=False) + 1).fill_null(0),
    ]
    if (keyed["row_number"].min() or 0) < 0:  # type: ignore[operator]
        return None
    largest = keyed.select(part.max().alias(str(i)) for i, part in enumerate(parts)).row(0)
    bits = [max(1, int(value or 0).bit_length()) for value in largest]
    if sum(bits) > 64:
        return None
    key = parts[0]
    for part, width in zip(parts[1:], bits[1:], strict=True):
        key = key * (1 << width) + part
    return key


def failure_index(result: ValidationResult) -> pl.DataFrame:
    """One row per failure without its fields or suggestion (cheap at any size: the counts, the children and the
    choice of what to show need no more): rule, severity, message, check, child, table, source file and row, in the
    order of `failures`, with `_order`. The child id is a category (`children` and `summary` group on it as an
    integer; `with_fields` turns it back into text). `with_fields` adds the rest to the failures a report shows."""
    errors = result.errors
    if errors.is_empty():
        return _empty_failures().drop("fields", "suggested").with_columns(pl.col("child_id").cast(pl.Categorical))
    facts = rule_facts(errors, result.dataset, pack_guidance_of(result.outcomes))
    order = dict(facts.select("rule_code", "_order").iter_rows())
    child = pl.col("child_id").cast(pl.Categorical)
    keyed = _keyed(errors.select(list(FAILURE_KEY)), order).with_columns(child).select(INDEX_KEYS).collect()
    packed = _packed_key(keyed)  # the first row of each failure, by one integer rather than five columns
    first = (packed if packed is not None else pl.struct(INDEX_KEYS)).is_first_distinct()
    return (
        keyed.lazy()
        .filter(first)
        .sort("_order", maintain_order=True)
        .with_columns(pl.col("table", "source_file").cast(pl.String))
        .join(facts.lazy(), on="_order", how="left", maintain_order="left")
        .select(*(c for c in FAILURE_COLUMNS if c not in ("fields", "suggested")), "_order")
        .collect()
    )


def with_fields(result: ValidationResult, chosen: pl.DataFrame, providers: pl.DataFrame | None = None) -> pl.DataFrame:
    """The failures `chosen` (rows of `failure_index`, in their order) with their cells as 'FIELD=value' (as
    written, '; '-joined) and suggested values; any further columns of `chosen` are kept, last."""
    extra = [c for c in chosen.columns if c not in FAILURE_COLUMNS and c != "_order"]
    chosen = chosen.with_columns(pl.col("child_id").cast(pl.String))  # a category in `failure_index`
    if chosen.is_empty():
        return _empty_failures().with_columns(chosen.select(extra).clear())
    order = dict(chosen.select("rule_code", "_order").unique().iter_rows())
    wanted = result.errors
    if chosen.height < wanted.height // 4:  # a few shown of many: only their cells (rows picked by number first)
        rows = chosen["row_number"].unique()
        wanted = wanted.filter(pl.col("row_number").is_in(rows.drop_nulls().implode()) | pl.col("row_number").is_null())
        wanted = wanted.join(chosen.select(FAILURE_KEY), on=list(FAILURE_KEY), how="semi", nulls_equal=True)
    fields = (
        _keyed(wanted.filter(pl.col("rule_code").is_in(list(order))), order)
        .group_by(INDEX_KEYS, maintain_order=True)
        .agg(CELL.alias("fields"))
        .with_columns(pl.col("fields").list.join("; "), pl.col("table", "source_file").cast(pl.String))
    )
    joined = chosen.lazy().join(fields, on=INDEX_KEYS, how="left", nulls_equal=True, maintain_order="left")
    return _with_suggestions(joined, result, providers).select(*FAILURE_COLUMNS, "_order", *extra).collect()


def _with_suggestions(grouped: pl.LazyFrame, result: ValidationResult, providers: pl.DataFrame | None) -> pl.LazyFrame:
    offered = suggestions(result, providers)
    if offered.is_empty():
        return grouped.with_columns(pl.lit(None, pl.String).alias("suggested"))
    on = ["rule_code", "table", "source_file", "row_number"]
    return grouped.join(offered.lazy(), on=on, how="left", nulls_equal=True, maintain_order="left")


def failures(result: ValidationResult, providers: pl.DataFrame | None = None) -> pl.DataFrame:
    """One row per failure (rule on one record) with its cells as 'FIELD=value' (as written); rules in code order,
    then the order of the error table (table, row). Keeps `_order` (the rule's place in code order). The same rows
    as `with_fields(result, failure_index(result))`, in one pass."""
    errors = result.errors
    if errors.is_empty():
        return _empty_failures()
    facts = rule_facts(errors, result.dataset, pack_guidance_of(result.outcomes))
    order = dict(facts.select("rule_code", "_order").iter_rows())
    grouped = (
        _keyed(errors, order)
        .group_by(INDEX_KEYS, maintain_order=True)  # keeps the error table's order; then sorted by rule alone
        .agg(CELL.alias("fields"))
        .sort("_order", maintain_order=True)
        .with_columns(pl.col("fields").list.join("; "), pl.col("table", "source_file").cast(pl.String))
        .join(facts.lazy(), on="_order", how="left", maintain_order="left")
    )
    return _with_suggestions(grouped, result, providers).select(*FAILURE_COLUMNS, "_order").collect()


def children(failed: pl.DataFrame, top: int | None = None) -> pl.DataFrame:
    """One row per child: errors and queries (failures) and the rules failed (in code order); children with errors
    first, then most queries; `failed` is `failure_index`'s (its child id a category, grouped as an integer) or
    `failures`'s. `top`: the rules only for the first `top` children (the others get none), which
    saves listing rules for hundreds of thousands of children nobody will read on a page."""
    if failed.is_empty():
        return pl.DataFrame(
            schema={"child_id": pl.String, "errors": pl.UInt32, "queries": pl.UInt32, "rules": pl.String}
        )
    is_error = pl.col("severity") == "error"
    named = failed.lazy().filter(pl.col("child_id").is_not_null())
    counted = (
        named.group_by("child_id", maintain_order=True)
        .agg(is_error.sum().alias("errors"), (~is_error).sum().alias("queries"))
        .sort(["errors", "queries"], descending=True, maintain_order=True)  # ties: in order of first failure
        .collect()
    )
    listed = counted if top is None else counted.head(top)
    theirs = named if top is None else named.filter(pl.col("child_id").is_in(listed["child_id"].implode()))
    rules = (
        theirs.group_by("child_id")  # failures are in code order, so are each child's rules
        .agg(pl.col("rule_code").unique(maintain_order=True).str.join(", ").alias("rules"))
        .collect()
    )
    joined = counted.join(rules, on="child_id", how="left", maintain_order="left")
    return joined.with_columns(pl.col("child_id").cast(pl.String))  # a category in `failure_index`


def tally_of(failed: pl.DataFrame, listed: pl.DataFrame | None = None) -> Tally:
    """The engine's Tally (errors, queries, children) from the failures already grouped, rather than again from
    the error table; `listed` (`children(failed)`, already made) saves counting the children again."""
    is_error = pl.col("severity") == "error"
    if listed is not None:
        errors, queries = failed.select(is_error.sum().alias("e"), (~is_error).sum().alias("q")).row(0)
        with_errors = listed.filter(pl.col("errors") > 0).height
        return Tally(int(errors or 0), int(queries or 0), listed.height, with_errors)
    counted = failed.select(
        is_error.sum().alias("errors"),
        (~is_error).sum().alias("queries"),
        pl.col("child_id").drop_nulls().n_unique().alias("children"),
        pl.col("child_id").filter(is_error).drop_nulls().n_unique().alias("children_with_errors"),
    )
    return Tally(*(int(value or 0) for value in counted.row(0)))


def by_table(failed: pl.DataFrame) -> list[tuple[str, int]]:
    """Failures per table, most first."""
    counted = failed.group_by("table").len().sort(["len", "table"], descending=[True, False])
    return [(str(t), int(n)) for t, n in counted.iter_rows()]


def short_file(path: object) -> str:
    return Path(str(path)).name if path is not None else ""


def short_files(frame: pl.DataFrame, column: str = "source_file") -> pl.Expr:
    """`short_file` of a column of `frame`, worked out once per distinct file (a return has a dozen; a report
    shows up to 100,000 rows of them); a null stays null."""
    names = {path: short_file(path) for path in frame[column].drop_nulls().unique().to_list()}
    return pl.col(column).replace_strict(names, return_dtype=pl.String)
