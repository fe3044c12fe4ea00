"""Named mutations that break a clean synthetic return in known ways, each recording the rule it should trip."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

Row = dict[str, str | None]
Tables = dict[str, list[Row]]


@dataclass(frozen=True)
class Mutation:
    name: str
    dataset: str  # "ssda903" or "cin"
    table: str
    field: str
    rule: str  # the DfE rule code it is meant to trip
    value: Callable[[Row], str | None]
    eligible: Callable[[Row], bool] = lambda row: True
    description: str = ""


def _set(value: str | None) -> Callable[[Row], str | None]:
    return lambda row: value


def _has(field: str) -> Callable[[Row], bool]:
    return lambda row: bool(row.get(field))


MUTATIONS: tuple[Mutation, ...] = (
    Mutation("sex_invalid", "ssda903", "Header", "SEX", "101", _set("X"), description="sex code not in the list"),
    Mutation("dob_not_a_date", "ssda903", "Header", "DOB", "102", _set("31/02/2012"), description="impossible date"),
    Mutation("ethnic_invalid", "ssda903", "Header", "ETHNIC", "103", _set("ZZZZ")),
    Mutation("decom_not_a_date", "ssda903", "Episodes", "DECOM", "141", _set("2024/13/45")),
    Mutation("rne_invalid", "ssda903", "Episodes", "RNE", "143", _set("Q")),
    Mutation("ls_invalid", "ssda903", "Episodes", "LS", "144", _set("X9")),
    Mutation("cin_code_invalid", "ssda903", "Episodes", "CIN", "145", _set("N9")),
    Mutation("place_invalid", "ssda903", "Episodes", "PLACE", "146", _set("ZZ")),
    Mutation("dec_without_rec", "ssda903", "Episodes", "REC", "148", _set(None), _has("DEC")),
    Mutation("rec_invalid", "ssda903", "Episodes", "REC", "149", _set("E99"), _has("REC")),
    Mutation("review_code_invalid", "ssda903", "Reviews", "REVIEW_CODE", "167", _set("PN9")),
    Mutation("sdq_out_of_range", "ssda903", "OC2", "SDQ_SCORE", "180", _set("45"), _has("SDQ_SCORE")),
    Mutation("in_touch_invalid", "ssda903", "OC3", "IN_TOUCH", "131", _set("MAYBE")),
    Mutation("missing_code_invalid", "ssda903", "Missing", "MISSING", "1006", _set("X")),
    Mutation(
        "place_change_reason_invalid",
        "ssda903",
        "Episodes",
        "REASON_PLACE_CHANGE",
        "1009",
        _set("BADCODE"),
        _has("REASON_PLACE_CHANGE"),
    ),
    Mutation("cin_ethnicity_invalid", "cin", "ChildCharacteristics", "Ethnicity", "4220", _set("XXXX")),
    Mutation("cin_disability_invalid", "cin", "Disabilities", "Disability", "8540", _set("XYZ")),
    Mutation(
        "cin_primary_need_invalid",
        "cin",
        "CINdetails",
        "PrimaryNeedCode",
        "8650",
        _set("N11"),
        _has("PrimaryNeedCode"),
    ),
    Mutation(
        "cin_closure_reason_invalid",
        "cin",
        "CINdetails",
        "ReasonForClosure",
        "8640",
        _set("RC0"),
        _has("ReasonForClosure"),
    ),
    Mutation("cin_referral_source_invalid", "cin", "CINdetails", "ReferralSource", "8866", _set("99")),
    Mutation(
        "cin_abuse_category_invalid",
        "cin",
        "ChildProtectionPlans",
        "InitialCategoryOfAbuse",
        "8905",
        _set("XYZ"),
    ),
    Mutation(
        "cin_assessment_before_referral",
        "cin",
        "Assessments",
        "AssessmentActualStartDate",
        "1103",
        _set("2000-01-03"),
    ),
)
BY_NAME = {m.name: m for m in MUTATIONS}


@dataclass(frozen=True)
class Injection:
    mutation: str
    dataset: str
    table: str
    child_id: str
    row_number: int  # spreadsheet row in the table's CSV (header = 1); for XML find the child by id
    field: str
    rule: str
    original: str | None
    value: str | None
    la: str = ""  # the authority's 3-digit code
    year: str = ""  # the collection year, e.g. 2025/26
    file: str = ""  # the file holding the changed cell, relative to the output folder (903: the table's CSV)
    xml_file: str = ""  # 903 written as XML too: the XML file holding the same change


def inject(
    tables: Tables, dataset: str, count: int, rng: random.Random, names: list[str] | None = None
) -> list[Injection]:
    """Apply `count` mutations of this dataset (chosen in turn from `names`, or all) to distinct cells."""
    pool = [BY_NAME[n] for n in names] if names else [m for m in MUTATIONS if m.dataset == dataset]
    pool = [m for m in pool if m.dataset == dataset and tables.get(m.table)]
    done: list[Injection] = []
    touched: set[tuple[str, int]] = set()
    child_key = "CHILD" if dataset == "ssda903" else "LAchildID"
    attempts = 0
    while pool and len(done) < count and attempts < count * 50:
        attempts += 1
        mutation = pool[len(done) % len(pool)]
        rows = tables[mutation.table]
        index = rng.randrange(len(rows))
        row = rows[index]
        if (mutation.table, index) in touched or not mutation.eligible(row):
            continue
        touched.add((mutation.table, index))
        original, value = row.get(mutation.field), mutation.value(row)
        row[mutation.field] = value
        done.append(
            Injection(
                mutation.name,
                dataset,
                mutation.table,
                row.get(child_key) or "",
                index + 2,
                mutation.field,
                mutation.rule,
                original,
                value,
            )
        )
    return done


def inject_dense(
    tables: Tables, dataset: str, share: float, rng: random.Random, names: list[str] | None = None
) -> list[Injection]:
    """Break every cell the mutations of this dataset (or `names`) can break in `share` of each table's rows,
    chosen with `rng`: many cells a row, one mutation a cell (where two can break a field, the first eligible of
    them in turn). A return with as many findings as a national one from a few children, for the reports' benchmarks.

    The rows are drawn one table after another in the order the mutations name them; whether a mutation is eligible
    is judged on the row as it was before any of its cells changed."""
    pool = [BY_NAME[n] for n in names] if names else [m for m in MUTATIONS if m.dataset == dataset]
    by_table: dict[str, dict[str, list[Mutation]]] = {}
    for mutation in pool:
        if mutation.dataset == dataset and tables.get(mutation.table):
            by_table.setdefault(mutation.table, {}).setdefault(mutation.field, []).append(mutation)
    child_key = "CHILD" if dataset == "ssda903" else "LAchildID"
    done: list[Injection] = []
    for table, fields in by_table.items():
        turns = dict.fromkeys(fields, 0)  # which of a field's eligible mutations to use next
        for index, row in enumerate(tables[table]):
            if rng.random() >= share:
                continue
            before = dict(row)
            for field, mutations in fields.items():
                eligible = [m for m in mutations if m.eligible(before)]
                if not eligible:
                    continue
                mutation = eligible[turns[field] % len(eligible)]
                turns[field] += 1
                value = mutation.value(before)
                row[field] = value
                child = before.get(child_key) or ""
                done.append(
                    Injection(
                        mutation.name, dataset, table, child, index + 2, field, mutation.rule, before.get(field), value
                    )
                )
    return done
