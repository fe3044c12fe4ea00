"""Local rules: a pack's `rules/*.yaml` records, checked and turned into `Rule`s the engine runs like DfE rules.

A rule is either a `condition:` (boolean SQL over the rows of one table; true = the row fails) or a `query:` (one
SELECT returning the failing rows of the rule's first table, with that table's `_row`). SQL sees this year's
tables by name (`Episodes`), last year's as `prev_Episodes`, and a one-row `collection` table (start_date,
end_date, la_code). A blank cell is SQL NULL: a comparison with NULL is NULL, and a condition that is NULL counts
as not failing (see docs/packs.md, "Blank cells").
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache
from typing import Any, NamedTuple

from csctools.datasets.cin import CIN
from csctools.datasets.ssda903 import SSDA903
from csctools.model import FIRST_YEAR, LAST_YEAR, Dataset
from csctools.packs.files import Pack, PackError, Record, check_keys
from csctools.validate.catalogue import ERROR, QUERY, RuleInfo
from csctools.years import CollectionYear

RULE_KEYS = (
    "code",
    "message",
    "severity",
    "return",
    "tables",
    "fields",
    "years",
    "guidance",
    "condition",
    "query",
    "examples",
    "tags",
)
# a local code is PREFIX-REST (LEEDS-PL01): DfE codes are numbers with at most a letter, so they never look alike
CODE_PATTERN = re.compile(r"^[A-Za-z][A-Za-z0-9]*-[A-Za-z0-9][A-Za-z0-9_.-]*$")
PREVIOUS = "prev_"
COLLECTION = "collection"  # one row: start_date, end_date, la_code
ROW_INDEX = "__i"  # the position of each row in its table, added for condition rules
DATASETS: dict[str, Dataset] = {"ssda903": SSDA903, "cin": CIN}
# columns the SSDA903 pack derives from the placement postcodes before the rules run
POSTCODE_COLUMNS = {
    "PL_LA": "VARCHAR",
    "PL_LOCATION": "VARCHAR",
    "PL_DISTANCE": "DOUBLE",
    "HOME_POST_FOUND": "BOOLEAN",
    "PL_POST_FOUND": "BOOLEAN",
}
_POSTCODE_WORDS = re.compile(r"\b(" + "|".join(POSTCODE_COLUMNS) + r")\b", re.IGNORECASE)
_LA_WORD = re.compile(r"\bla_code\b", re.IGNORECASE)


class LocalRule(NamedTuple):
    """A local rule as read from a pack, checked for form (its SQL is checked against the data model by check)."""

    record: Record
    pack: str
    dataset: str
    info: RuleInfo  # code, message, tables (the first is where failing rows are), fields, needs, years, severity
    guidance: str
    condition: str | None
    query: str | None
    examples: dict[str, list[Any]]
    tags: frozenset[str]
    example_year: int | None = None  # the collection year the examples are checked in (default: the latest)
    columns: frozenset[str] | None = None  # column names the SQL mentions (lower case); None: it uses `*`

    @property
    def code(self) -> str:
        return self.info.code

    @property
    def table(self) -> str:
        return self.info.tables[0]

    def sql(self) -> str:
        """The SELECT the rule runs: for a condition, the row positions of the table's failing rows."""
        if self.query is not None:
            return self.query
        return f'SELECT "{ROW_INDEX}" FROM "{self.table}" WHERE coalesce(({self.condition}), false)'

    def error(self, message: str, key: str | None = None) -> PackError:
        """A PackError naming the rule, at its line, or at the line of its `key` (e.g. "condition")."""
        return self.record.error(f"rule {self.code}: {message}", key)


def _words(value: Any, what: str, fail: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    items = value if isinstance(value, list) else [value]
    if not all(isinstance(v, str | int) and not isinstance(v, bool) for v in items):
        raise fail(f'"{what}" must be a word or a list of words')
    return tuple(str(v).strip() for v in items if str(v).strip())


def _years(value: Any, default: tuple[str, ...], fail: Any) -> frozenset[int]:
    texts = _words(value, "years", fail) or default
    if not texts:
        return frozenset(range(FIRST_YEAR, LAST_YEAR + 1))
    years = set()
    for text in texts:
        try:
            years.add(CollectionYear.parse(text).end)
        except ValueError as error:
            raise fail(str(error)) from None
    return frozenset(years)


def table_names(dataset: Dataset) -> dict[str, str]:
    """Every name SQL may use for a table (lower-cased) -> its name in the data model, last year's included."""
    names = {t.name.lower(): t.name for t in dataset.tables}
    names |= {(PREVIOUS + t.name).lower(): PREVIOUS + t.name for t in dataset.tables}
    return names | {COLLECTION: COLLECTION}


def column_names(dataset: Dataset, table: str) -> dict[str, str]:
    """A table's columns (any year, derived ones included) by lower-cased name."""
    model = dataset.table(table.removeprefix(PREVIOUS))
    names = [c.name for c in (*model.columns, *dataset.derived.get(model.name, ()))]
    if dataset.name == "ssda903" and model.name == "Episodes":
        names += list(POSTCODE_COLUMNS)
    return {n.lower(): n for n in [*names, "_row", "_source"]}


def referenced_tables(sql: str) -> set[str] | None:
    """Tables a SELECT reads (CTE names excluded); None when DuckDB cannot tell. DuckDB's own list binds a join's
    USING columns, which fails without the tables: the parsed statement's tables are taken then."""
    import json

    import duckdb

    try:
        return set(duckdb.get_table_names(sql))
    except duckdb.Error:
        pass
    try:
        tree = json.loads(_parser().execute("SELECT json_serialize_sql(?)", [sql]).fetchone()[0])
    except (duckdb.Error, TypeError, ValueError):
        return None
    if not isinstance(tree, dict) or tree.get("error"):
        return None
    tables: set[str] = set()
    ctes: set[str] = set()
    _table_refs(tree, tables, ctes)
    return tables - ctes


def _table_refs(node: Any, tables: set[str], ctes: set[str]) -> None:
    """The base tables a parsed statement reads, and the names of its common table expressions."""
    if isinstance(node, dict):
        if node.get("type") == "BASE_TABLE" and node.get("table_name"):
            tables.add(str(node["table_name"]))
        if isinstance(node.get("cte_map"), dict):
            ctes.update(str(entry.get("key")) for entry in node["cte_map"].get("map", []) if isinstance(entry, dict))
        for value in node.values():
            _table_refs(value, tables, ctes)
    elif isinstance(node, list):
        for value in node:
            _table_refs(value, tables, ctes)


@cache
def _parser() -> Any:
    from csctools.packs.sql import sandbox

    return sandbox()


def _column_refs(node: Any, found: set[str]) -> bool:
    """Collect the column names a parsed statement mentions; False when it selects `*` (every column)."""
    if isinstance(node, dict):
        if node.get("class") == "STAR":
            return False
        if node.get("class") == "COLUMN_REF" and node.get("column_names"):
            found.add(str(node["column_names"][-1]).lower())
        return all(_column_refs(value, found) for value in node.values())
    if isinstance(node, list):
        return all(_column_refs(value, found) for value in node)
    return True


def referenced_columns(sql: str) -> frozenset[str] | None:
    """The column names a SELECT mentions (lower case, aliases included), so that only those columns are handed
    to DuckDB; None when it uses `*` or cannot be parsed."""
    return columns_of_each([sql])[0]


def columns_of_each(sqls: list[str]) -> list[frozenset[str] | None]:
    """`referenced_columns` of each SELECT, parsed in one call to DuckDB (a call costs more than a parse)."""
    import json

    import duckdb

    try:
        texts = _parser().execute("SELECT json_serialize_sql(unnest(?))", [sqls]).fetchall()
    except duckdb.Error:
        return [_columns_alone(sql) for sql in sqls]
    return [_columns_in(json.loads(text)) if isinstance(text, str) else None for (text,) in texts]


def _columns_alone(sql: str) -> frozenset[str] | None:
    import json

    import duckdb

    try:
        return _columns_in(json.loads(_parser().execute("SELECT json_serialize_sql(?)", [sql]).fetchone()[0]))
    except (duckdb.Error, TypeError, ValueError):
        return None


def _columns_in(tree: Any) -> frozenset[str] | None:
    found: set[str] = set()
    if not isinstance(tree, dict) or tree.get("error") or not _column_refs(tree, found):
        return None
    return frozenset(found)


def _dataset_of(data: dict[str, Any], pack: Pack, fail: Any) -> str:
    wanted = data.get("return")
    if wanted is not None:
        if wanted not in DATASETS:
            raise fail(f'"return" must be one of {", ".join(DATASETS)}, not "{wanted}"')
        return str(wanted)
    checkable = [r for r in pack.info.returns if r in DATASETS]
    if len(pack.info.returns) == 1 and checkable:
        return checkable[0]
    if pack.info.returns == ("annex_a",):
        raise fail("rules over the Annex A lists are not supported yet (returns: ssda903 or cin)")
    raise fail('say which return the rule is for ("return: ssda903" or "return: cin", or one return in pack.yaml)')


def parse_rule(record: Record, pack: Pack) -> LocalRule:
    """One rule record, checked for form: keys, code, severity, tables, fields, years, examples' shape."""
    data = record.data
    code = str(data.get("code") or "").strip()
    where = f"rule {code}" if code else "rule"

    def fail(message: str) -> PackError:
        return PackError(record.file, f"{where}: {message}", record.line)

    check_keys(data, record.file, RULE_KEYS, required=("code", "message", "tables"), what=where)
    dfe = _upper_dfe_codes()
    if code.upper() in dfe:
        raise fail(f"the code clashes with DfE {dfe[code.upper()]} rule {code}: use your own prefix (e.g. LEEDS-PL01)")
    if not CODE_PATTERN.match(code):
        raise fail("a local code is a prefix, a hyphen and the rest (e.g. LEEDS-PL01): it never looks like a DfE code")
    severity = str(data.get("severity") or ERROR)
    if severity not in (ERROR, QUERY):
        raise fail(f'severity must be "error" or "query", not "{severity}"')
    has_condition, has_query = data.get("condition") is not None, data.get("query") is not None
    if has_condition == has_query:
        raise fail('give either "condition:" (true where a row fails) or "query:" (a SELECT of failing rows)')
    sql_text = data["condition"] if has_condition else data["query"]
    if isinstance(sql_text, bool):  # `condition: true` is read by YAML as a boolean
        sql_text = str(sql_text).lower()
    if not isinstance(sql_text, str) or not sql_text.strip():
        raise fail("the condition or query must be SQL text")
    dataset_name = _dataset_of(data, pack, fail)
    dataset = DATASETS[dataset_name]
    known = table_names(dataset)
    tables = []
    for name in _words(data.get("tables"), "tables", fail):
        if name.lower() not in known or name.lower() == COLLECTION:
            this_year = ", ".join(t.name for t in dataset.tables)
            raise fail(f'unknown table "{name}" (tables: {this_year}; last year\'s as prev_<table>)')
        tables.append(known[name.lower()])
    if tables[0].startswith(PREVIOUS):
        raise fail("the first table is where the failing rows are: it must be one of this year's tables")
    columns = column_names(dataset, tables[0])
    fields = []
    for name in _words(data.get("fields"), "fields", fail):
        if name.lower() not in columns:
            raise fail(f'unknown field "{name}" in {tables[0]}')
        fields.append(columns[name.lower()])
    sql = sql_text.strip().rstrip(";")
    found = referenced_tables(sql if has_query else f"SELECT * FROM x WHERE {sql}")
    read = (found or set()) - ({"x"} if has_condition else set())
    unknown = sorted(name for name in read if name.lower() not in known)
    if unknown:
        raise fail(f'the SQL reads "{unknown[0]}", which is not a table of the {dataset.title}')
    every = set(tables) | {known[name.lower()] for name in read}
    if found is None:  # DuckDB could not list the tables without binding: every table is made available
        every |= set(known.values())
    needs = set()
    if any(name.startswith(PREVIOUS) for name in (every if found is not None else tables)):
        needs.add("prev_year")
    if dataset_name == "ssda903" and _POSTCODE_WORDS.search(sql):
        needs.add("postcode_derived")
    if _LA_WORD.search(sql):
        needs.add("la_code")
    examples = data.get("examples") or {}
    if not isinstance(examples, dict) or set(examples) - {"fail", "pass", "year", "__line__"}:
        raise fail('"examples" must be a mapping with "fail:" and "pass:" lists of rows (and "year:")')
    cases = {kind: examples.get(kind) or [] for kind in ("fail", "pass")}
    if not all(isinstance(rows, list) for rows in cases.values()):
        raise fail('"examples: fail:" and "pass:" must each be a list of rows')
    example_year = None
    if examples.get("year") is not None:
        example_year = min(_years(examples["year"], (), fail))
    info = RuleInfo(
        code=code,
        message=str(data["message"]).strip(),
        tables=tuple(dict.fromkeys([*tables, *sorted(every - set(tables) - {COLLECTION})])),
        fields=tuple(fields),
        needs=frozenset(needs),
        years=_years(data.get("years"), pack.info.years, fail),
        severity=severity,
    )
    local = LocalRule(
        record,
        pack.info.name,
        dataset_name,
        info,
        str(data.get("guidance") or "").strip(),
        sql if has_condition else None,
        sql if has_query else None,
        cases,
        frozenset(_words(data.get("tags"), "tags", fail)),
        example_year,
    )
    return local  # its columns are found by parse_rules, for every rule of the pack at once


def parse_rules(pack: Pack) -> list[LocalRule]:
    """Every rule of a pack, checked for form; two rules with one code are refused."""
    rules: list[LocalRule] = []
    seen: dict[str, LocalRule] = {}
    for record in pack.of_kind("rules"):
        local = parse_rule(record, pack)
        if local.code in seen:
            first = seen[local.code].record
            raise local.error(f"the code is used twice in this pack (first in {first.file} line {first.line})")
        seen[local.code] = local
        rules.append(local)
    columns = columns_of_each([local.sql() for local in rules]) if rules else []
    return [local._replace(columns=found) for local, found in zip(rules, columns, strict=True)]


@cache
def dfe_codes() -> dict[str, str]:
    """Every DfE rule code of either return -> the return (for refusing clashes)."""
    from csctools.validate.catalogue import catalogue

    codes: dict[str, str] = {}
    for dataset in DATASETS:
        codes |= dict.fromkeys(catalogue(dataset), dataset)
    return codes


@cache
def _upper_dfe_codes() -> dict[str, str]:
    return {code.upper(): dataset for code, dataset in dfe_codes().items()}


def refuse_clashes(rules: Iterable[LocalRule], taken: dict[str, str]) -> None:
    """A local code may not be a DfE code of either return, nor a code of another pack (`taken`: code -> owner)."""
    upper_dfe = _upper_dfe_codes()
    for local in rules:
        if local.code.upper() in upper_dfe:
            raise local.error(f"the code clashes with DfE {upper_dfe[local.code.upper()]} rule {local.code}")
        owner = taken.get(local.code.upper())
        if owner is not None and owner != local.pack:
            raise local.error(f"the code clashes with a rule of the pack {owner}")
        taken[local.code.upper()] = local.pack
