"""Sharing policies: for each return, table and column one treatment; a column the policy does not name is dropped.

A policy is a record of kind `policies` in a pack (csctools.packs.files), so it can be shared as a file::

    name: regional
    title: Regional pan-authority dataset
    description: why it exists and who receives it
    shift_days: 90                # dates shifted by a per-child offset of 1 to 90 days earlier
    age_bands: [1, 5, 10, 16]     # boundaries: under 1, 1-4, 5-9, 10-15, 16 and over
    aggregates: [cla_by_placement]
    returns:
      ssda903:
        "*": {CHILD: pseudonym, DOB: shift}      # added to every table named below that holds them
        Episodes: {DECOM: shift, PLACE: keep, HOME_POST: district}
        Header:
          ETHNIC: {treatment: group, groups: {White: [WBRI, WIRI]}, other: Other}
"""

from __future__ import annotations

from collections.abc import Mapping
from itertools import pairwise
from pathlib import Path
from typing import Any, NamedTuple

from csctools.model import Column, Table
from csctools.packs.files import PackError, Record, check_keys, line_of, load_pack, parse_yaml
from csctools.share.columns import DATASETS, IDENTIFIER_KINDS, Kind, kind_of, row_owner

BUILTIN = Path(__file__).parent / "builtin"
ALL_TABLES = "*"
KEEP, DROP, PSEUDONYM, MONTH, SHIFT = "keep", "drop", "pseudonym", "month", "shift"
SECTOR, DISTRICT, AGE_BAND, YEAR_OF_BIRTH, GROUP = "sector", "district", "age_band", "year_of_birth", "group"
TREATMENTS = (KEEP, DROP, PSEUDONYM, MONTH, SHIFT, SECTOR, DISTRICT, AGE_BAND, YEAR_OF_BIRTH, GROUP)
ALLOWED: dict[Kind, tuple[str, ...]] = {
    Kind.CHILD_ID: (PSEUDONYM, DROP),
    Kind.UPN: (PSEUDONYM, DROP),
    Kind.PERSON_ID: (PSEUDONYM, DROP),
    Kind.BIRTH: (SHIFT, YEAR_OF_BIRTH, AGE_BAND, DROP),
    Kind.POSTCODE: (SECTOR, DISTRICT, DROP),
    Kind.FREE_TEXT: (DROP,),
    Kind.SOFTWARE: (DROP,),
    Kind.DATE: (KEEP, SHIFT, MONTH, DROP),
    Kind.VALUE: (KEEP, GROUP, DROP),
}
POLICY_KEYS = ("name", "title", "description", "shift_days", "age_bands", "aggregates", "returns")
DEFAULT_SHIFT_DAYS = 90
DEFAULT_AGE_BANDS = (1, 5, 10, 16)
MAX_SHIFT_DAYS = 3660


class Treatment(NamedTuple):
    name: str
    domain: str = ""  # pseudonym: values of one domain share pseudonyms across columns (a UPN and a former UPN)
    groups: Mapping[str, str] = {}  # group: code -> group label
    other: str | None = None  # group: the label of codes in no group (None: left blank)


DROPPED = Treatment(DROP)


class Policy(NamedTuple):
    name: str
    title: str
    description: str
    shift_days: int
    age_bands: tuple[int, ...]
    aggregates: tuple[str, ...]
    columns: dict[tuple[str, str], dict[str, Treatment]]  # (return, table) -> column -> treatment (named ones)
    source: str  # where it was read from: "built-in" or the pack's label

    def treatment(self, dataset: str, table: str, column: str) -> Treatment:
        return self.columns.get((dataset, table), {}).get(column, DROPPED)

    def kept(self, dataset: str, table: Table) -> dict[str, Treatment]:
        """The columns of a table the policy shares, in the model's order, with their treatments."""
        named = self.columns.get((dataset, table.name), {})
        return {c.name: named[c.name] for c in table.columns if c.name in named and named[c.name].name != DROP}

    def returns(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(dataset for dataset, _ in self.columns))

    @property
    def label(self) -> str:
        return f"{self.name} ({self.source})"


def age_band_labels(bands: tuple[int, ...]) -> list[str]:
    """Labels for boundaries (1, 5, 10, 16): 'under 1', '1-4', '5-9', '10-15', '16 and over'."""
    labels = [f"under {bands[0]}"]
    labels += [f"{low}-{high - 1}" for low, high in pairwise(bands)]
    return [*labels, f"{bands[-1]} and over"]


def _default_domain(kind: Kind, column: str) -> str:
    return {Kind.CHILD_ID: "child", Kind.UPN: "upn"}.get(kind, column)


def _treatment(value: Any, where: str, record: Record, line: int | None, kind: Kind, column: Column) -> Treatment:
    if isinstance(value, str):
        data: dict[str, Any] = {"treatment": value}
    elif isinstance(value, dict):
        check_keys(value, record.file, ("domain", "groups", "other"), ("treatment",), what=f"treatment of {where}")
        data, line = value, line_of(value) or line
    else:
        raise PackError(record.file, f"{where}: a treatment is a word ({', '.join(TREATMENTS)}) or a mapping", line)
    name = str(data["treatment"])
    if name not in TREATMENTS:
        raise PackError(record.file, f'{where}: unknown treatment "{name}" (one of {", ".join(TREATMENTS)})', line)
    if name not in ALLOWED[kind]:
        allowed = " or ".join(ALLOWED[kind])
        raise PackError(record.file, f"{where} is a {kind.value}: it can only be {allowed}, not {name}", line)
    groups: dict[str, str] = {}
    if name == GROUP:
        raw = data.get("groups")
        if not isinstance(raw, dict) or not raw:
            raise PackError(record.file, f"{where}: group needs groups: {{label: [codes]}}", line)
        known = set(column.all_codes())
        for label, members in raw.items():
            if label == "__line__":
                continue
            if not isinstance(members, list) or not all(isinstance(m, str | int) for m in members):
                raise PackError(record.file, f'{where}: group "{label}" must be a list of codes', line)
            for member in map(str, members):
                if known and member not in known:
                    raise PackError(record.file, f'{where}: "{member}" is not a code of {column.name}', line)
                if member in groups:
                    raise PackError(record.file, f'{where}: "{member}" is in two groups', line)
                groups[member] = str(label)
    elif "groups" in data or "other" in data:
        raise PackError(record.file, f"{where}: groups and other belong to the group treatment only", line)
    if "domain" in data and name != PSEUDONYM:
        raise PackError(record.file, f"{where}: domain belongs to the pseudonym treatment only", line)
    other = data.get("other")
    domain = str(data.get("domain") or _default_domain(kind, column.name))
    return Treatment(name, domain, groups, None if other is None else str(other))


def _int(value: Any, record: Record, key: str, low: int, high: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise PackError(record.file, f"{key} must be a whole number from {low} to {high}", record.line)
    return value


def _table_columns(
    record: Record, dataset: str, table: Table, spec: Mapping[str, Any], line: int | None
) -> dict[str, Treatment]:
    treatments: dict[str, Treatment] = {}
    for name, value in spec.items():
        if name == "__line__":
            continue
        where = f"{dataset} {table.name}.{name}"
        try:
            column = table.column(str(name))
        except KeyError:
            known = ", ".join(table.column_names())
            message = f"{dataset} table {table.name} has no column {name} (it has {known})"
            raise PackError(record.file, message, line) from None
        kind = kind_of(column)
        treatment = _treatment(value, where, record, line, kind, column)
        if treatment.name == SHIFT and row_owner(dataset, table) is None:
            raise PackError(record.file, f"{where}: shift needs a child in each row; {table.name} has none", line)
        treatments[column.name] = treatment
    return treatments


def _returns(record: Record, spec: Any) -> dict[tuple[str, str], dict[str, Treatment]]:
    if spec is None:
        return {}
    if not isinstance(spec, dict):
        raise PackError(record.file, "returns must map a return (ssda903, cin, annex_a) to its tables", record.line)
    columns: dict[tuple[str, str], dict[str, Treatment]] = {}
    for dataset, tables in spec.items():
        if dataset == "__line__":
            continue
        if dataset not in DATASETS:
            raise PackError(record.file, f'unknown return "{dataset}" (one of {", ".join(DATASETS)})', line_of(spec))
        if not isinstance(tables, dict):
            raise PackError(record.file, f"{dataset} must map table names to columns", line_of(spec))
        model = DATASETS[dataset]
        every = tables.get(ALL_TABLES) or {}
        for table_name, table_spec in tables.items():
            if table_name in ("__line__", ALL_TABLES):
                continue
            line = line_of(table_spec) or line_of(tables)
            try:
                model.table(str(table_name))
            except KeyError:
                known = ", ".join(t.name for t in model.tables)
                raise PackError(record.file, f"{dataset} has no table {table_name} (it has {known})", line) from None
            if not isinstance(table_spec, dict):
                raise PackError(record.file, f"{dataset} {table_name} must map columns to treatments", line)
        if not isinstance(every, dict):
            raise PackError(record.file, f'{dataset} "*" must map columns to treatments', line_of(tables))
        for table in model.tables:  # "*" adds its columns to the tables named: a table not named is not shared
            if table.name not in tables:
                continue
            names = set(table.column_names())
            shared = {k: v for k, v in every.items() if k in names}
            own = tables.get(table.name) or {}
            merged = {**shared, **own}
            if merged:
                line = line_of(own) or line_of(every)
                columns[(dataset, table.name)] = _table_columns(record, dataset, table, merged, line)
        unknown = [k for k in every if k != "__line__" and not any(k in t.column_names() for t in model.tables)]
        if unknown:
            raise PackError(record.file, f'{dataset} "*": no table has a column {unknown[0]}', line_of(every))
    return columns


def policy_from_record(record: Record, source: str) -> Policy:
    data = record.data
    check_keys(data, record.file, POLICY_KEYS, required=("name",), what="policy")
    bands_raw = data.get("age_bands", list(DEFAULT_AGE_BANDS))
    if not isinstance(bands_raw, list) or not bands_raw:
        raise PackError(record.file, "age_bands must be a list of ages, e.g. [1, 5, 10, 16]", record.line)
    bands = tuple(_int(b, record, "each age band boundary", 1, 30) for b in bands_raw)
    if list(bands) != sorted(set(bands)):
        raise PackError(record.file, "age_bands must rise, each age once", record.line)
    aggregates = data.get("aggregates") or []
    if not isinstance(aggregates, list) or not all(isinstance(a, str) for a in aggregates):
        raise PackError(record.file, "aggregates must be a list of measure names", record.line)
    from csctools.store.measures import MEASURES  # the measures a policy may publish

    for name in aggregates:
        if name not in MEASURES:
            raise PackError(record.file, f'unknown aggregate "{name}" (one of {", ".join(MEASURES)})', record.line)
    return Policy(
        name=str(data["name"]),
        title=str(data.get("title") or data["name"]),
        description=" ".join(str(data.get("description") or "").split()),
        shift_days=_int(data.get("shift_days", DEFAULT_SHIFT_DAYS), record, "shift_days", 1, MAX_SHIFT_DAYS),
        age_bands=bands,
        aggregates=tuple(aggregates),
        columns=_returns(record, data.get("returns")),
        source=source,
    )


def pack_policies(path: Path) -> list[Policy]:
    pack = load_pack(path)
    source = "built-in" if path == BUILTIN else pack.label
    return [policy_from_record(r, source) for r in pack.of_kind("policies")]


def shipped_policies() -> list[Policy]:
    return pack_policies(BUILTIN)


def find_policy(spec: str) -> Policy:
    """A shipped policy by name, a policy file (.yaml), or a pack (folder or zip; PACK#NAME when it holds several)."""
    path_text, _, wanted = spec.partition("#")
    path = Path(path_text)
    if path.is_file() and path.suffix.lower() in (".yaml", ".yml") and path.name != "pack.yaml":
        data = parse_yaml(path.read_text(encoding="utf-8-sig"), path.name)
        if not isinstance(data, dict):
            raise PackError(path.name, "a policy file is one mapping (name:, returns:, ...)")
        return policy_from_record(Record("policies", path.name, line_of(data) or 1, data), str(path))
    if path.exists():
        policies = pack_policies(path)
    else:
        policies = shipped_policies()
        wanted = spec
    names = ", ".join(p.name for p in policies) or "none"
    if not wanted and len(policies) == 1:
        return policies[0]
    for policy in policies:
        if policy.name == wanted:
            return policy
    if path.exists():
        raise PackError(str(path), f"holds policies {names}: name one as {path_text}#NAME")
    raise PackError(spec, f"is neither a file nor a shipped policy (shipped: {names})")


def left_out(policy: Policy) -> list[tuple[str, str, str, str]]:
    """Every column of the data model the policy does not share: (return, table, column, why)."""
    rows = []
    for dataset, model in DATASETS.items():
        for table in model.tables:
            named = policy.columns.get((dataset, table.name), {})
            for column in table.columns:
                treatment = named.get(column.name)
                if treatment is None:
                    rows.append((dataset, table.name, column.name, "not named (dropped by default)"))
                elif treatment.name == DROP:
                    rows.append((dataset, table.name, column.name, "dropped"))
    return rows


def identifiers(policy: Policy) -> list[tuple[str, str, str, str]]:
    """Identifying columns the policy shares, and how: (return, table, column, treatment)."""
    rows = []
    for dataset, model in DATASETS.items():
        for table in model.tables:
            for name, treatment in policy.kept(dataset, table).items():
                if kind_of(table.column(name)) in (*IDENTIFIER_KINDS, Kind.BIRTH, Kind.POSTCODE):
                    rows.append((dataset, table.name, name, treatment.name))
    return rows
