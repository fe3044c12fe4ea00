"""Suggested values for failing cells, where the data show one: never applied, only offered.

Each suggestion names its source in one short sentence. SSDA903:

- a URN the Ofsted provider list knows: the provider's placement types (219), provider types (224) and setting
  postcode (221); a URN deregistered before the episode (227, 228): the one other URN at the same setting postcode
  that offers the placement type and was still registered;
- a date of birth (INT11-INT18) or sex (INT21) that differs from the Header: the Header's, unless the Header's
  value is itself unreadable or fails a rule (then neither is known to be right, and nothing is suggested);
- a placement postcode that is not a real postcode (392c): the provider list's postcode for the episode's URN, when
  that one is in the ONS Postcode Directory (otherwise nothing is suggested).

CIN census (only where one value is right by the rules alone):

- a UPN with the wrong check letter (1510; characters 2-13 are digits, so the letter is defined): the UPN with the
  letter that makes it valid (the DfE's check: characters 2-13 times 2-13, summed, modulo 23, as a letter).

Not suggested, because the data do not say which value is right: a CIN child's date of birth differing between its
records (8510 duplicates: the census should hold one record per child, so either could be wrong); a plan's start
differing from its conference date (2885); a UPN with other faults (1530-1550: the letter depends on the digits).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import polars as pl

from csctools.model import RAW_SUFFIX, SOURCE_FILE, SOURCE_ROW
from csctools.validate.written import written_expr

SUGGESTION_COLUMNS: dict[str, pl.DataType] = {
    "rule_code": pl.String(),
    "table": pl.String(),
    "row_number": pl.Int64(),
    "child_id": pl.String(),
    "field": pl.String(),
    "value": pl.String(),  # as the user's file writes it (from the error table)
    "suggested": pl.String(),
    "reason": pl.String(),
    "source_file": pl.String(),
}
SAME_AS_HEADER = {  # rule -> (table, field) compared with the Header's
    "INT11": ("AD1", "DOB"),
    "INT12": ("PlacedAdoption", "DOB"),
    "INT13": ("Missing", "DOB"),
    "INT14": ("OC2", "DOB"),
    "INT15": ("OC3", "DOB"),
    "INT16": ("PrevPerm", "DOB"),
    "INT17": ("Reviews", "DOB"),
    "INT18": ("UASC", "DOB"),
    "INT21": ("UASC", "SEX"),
}
FIELD_WORDS = {"DOB": "date of birth", "SEX": "sex"}
EMPTY = pl.DataFrame(schema=SUGGESTION_COLUMNS)
Tables = dict[str, pl.DataFrame]
Maker = Callable[[pl.DataFrame, Tables, pl.DataFrame | None], pl.DataFrame]


def suggest(
    result_errors: pl.DataFrame, tables: Tables, providers: pl.DataFrame | None, dataset: str = "ssda903"
) -> pl.DataFrame:
    """One row per suggestion for the failing cells of `result_errors` (the engine's error table)."""
    if result_errors.is_empty() or dataset not in ("ssda903", "cin"):
        return EMPTY
    makers: list[Maker] = [_upn_check_letter] if dataset == "cin" else [_from_header]
    if dataset == "ssda903" and providers is not None and not providers.is_empty():
        makers += [_provider_codes, _provider_postcode, _reregistered_urn, _real_postcode_of_provider]
    parts = [made for maker in makers if not (made := maker(result_errors, tables, providers)).is_empty()]
    if not parts:
        return EMPTY
    found = pl.concat([part.select(list(SUGGESTION_COLUMNS)).cast(pl.Schema(SUGGESTION_COLUMNS)) for part in parts])
    return found.filter(pl.col("suggested").is_not_null() & pl.col("suggested").ne_missing(pl.col("value"))).sort(
        "table", "row_number", "rule_code", "field", nulls_last=True
    )


def _written(table: pl.DataFrame, field: str, dataset: str = "ssda903") -> pl.Expr:
    """A column as its file writes it (the raw text where the value could not be read)."""
    value = written_expr(field, table.schema[field], dataset)
    return pl.coalesce(pl.col(field + RAW_SUFFIX), value) if field + RAW_SUFFIX in table.columns else value


def _failing(errors: pl.DataFrame, codes: Iterable[str], field: str) -> pl.DataFrame:
    return errors.filter(pl.col("rule_code").is_in(list(codes)) & (pl.col("field") == field))


def _with_rows(errors: pl.DataFrame, table: pl.DataFrame | None, columns: list[str]) -> pl.DataFrame:
    """The error rows with `columns` of the table rows they point at (matched on source file and row)."""
    if table is None or SOURCE_ROW not in table.columns or errors.is_empty():
        return errors.head(0).with_columns(pl.lit(None, pl.String).alias(c) for c in columns)
    keys = [SOURCE_ROW] + ([SOURCE_FILE] if SOURCE_FILE in table.columns else [])
    picked = table.select(*keys, *(pl.col(c) for c in columns)).unique(keys, keep="first")
    left = ["row_number"] + (["source_file"] if SOURCE_FILE in table.columns else [])
    return errors.join(picked, left_on=left, right_on=keys, how="inner")


UPN_CHECK_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"  # 0-22 (no I, O or S)


def _upn_check_letter(errors: pl.DataFrame, tables: Tables, _: pl.DataFrame | None) -> pl.DataFrame:
    """CIN 1510: the UPN as written with its first character replaced by the check letter of characters 2-13."""
    upn = pl.col("value")
    wanted = _failing(errors, ["1510"], "UPN")
    if wanted.is_empty():
        return EMPTY
    wanted = wanted.filter(upn.str.contains(r"^.\d{12}$").fill_null(False))
    weighted = pl.sum_horizontal(upn.str.slice(i, 1).cast(pl.Int64) * (i + 1) for i in range(1, 13))
    letter = pl.lit(list(UPN_CHECK_LETTERS)).list.get(weighted % len(UPN_CHECK_LETTERS))
    return wanted.with_columns(
        pl.concat_str(letter, upn.str.slice(1)).alias("suggested"),
        pl.lit("the check letter of the UPN's digits (characters 2-13)").alias("reason"),
    )


def _from_header(errors: pl.DataFrame, tables: Tables, _: pl.DataFrame | None) -> pl.DataFrame:
    """INT11-INT18 and INT21: the Header's value for the child, where the Header gives the child one value that
    could be read and fails no rule itself."""
    header = tables.get("Header")
    wanted = errors.filter(pl.col("rule_code").is_in(list(SAME_AS_HEADER)))
    if header is None or wanted.is_empty() or "CHILD" not in header.columns:
        return EMPTY
    parts = []
    for field in sorted({field for _, field in SAME_AS_HEADER.values()}):
        if field not in header.columns:
            continue
        codes = [code for code, (_, f) in SAME_AS_HEADER.items() if f == field]
        rows = header.select(
            pl.col("CHILD").cast(pl.String).alias("child_id"),
            _written(header, field).alias("suggested"),
            pl.col(field).is_null().alias("unreadable"),
            (pl.col(SOURCE_ROW) if SOURCE_ROW in header.columns else pl.lit(None, pl.Int64)).alias("header_row"),
        ).filter(pl.col("suggested").is_not_null())
        one_value = rows.filter(pl.col("suggested").n_unique().over("child_id") == 1).unique("child_id", keep="first")
        doubtful = errors.filter((pl.col("table") == "Header") & (pl.col("field") == field)).select("child_id")
        one_value = one_value.filter(~pl.col("unreadable")).join(doubtful, on="child_id", how="anti")
        where = (
            pl.when(pl.col("header_row").is_not_null())
            .then(pl.format(" (Header row {})", pl.col("header_row")))
            .otherwise(pl.lit(""))
        )
        parts.append(
            _failing(errors, codes, field)
            .join(one_value, on="child_id", how="inner")
            .with_columns(
                pl.format("the Header's {} for child {}{}", pl.lit(FIELD_WORDS[field]), "child_id", where).alias(
                    "reason"
                )
            )
        )
    return pl.concat(parts) if parts else EMPTY


def _spaced(postcode: pl.Expr) -> pl.Expr:
    """'LS178HB' -> 'LS17 8HB' (the inward code is always the last three characters)."""
    return pl.concat_str(postcode.str.slice(0, postcode.str.len_chars() - 3), pl.lit(" "), postcode.str.slice(-3))


def _listed(providers: pl.DataFrame, urns: pl.Series | None = None) -> pl.DataFrame:
    """The provider list's columns suggestions use (only the URNs given, when given: the list is long)."""
    if urns is not None:
        providers = providers.filter(pl.col("URN").is_in(urns.drop_nulls().unique().implode()))
    return providers.select(
        pl.col("URN").alias("LIST_URN"),
        pl.col("PLACE_CODES").list.eval(pl.element().filter(pl.element() != "")).list.unique().list.sort(),
        pl.col("PROVIDER_CODES").list.eval(pl.element().filter(pl.element() != "")).list.unique().list.sort(),
        pl.col("POSTCODE").alias("LIST_POSTCODE"),
        "REG_END",
    )


def _episodes_with_provider(
    errors: pl.DataFrame, tables: Tables, providers: pl.DataFrame, codes: Iterable[str], field: str
) -> pl.DataFrame:
    episodes = tables.get("Episodes")
    rows = _with_rows(_failing(errors, codes, field), episodes, ["URN"])
    return rows.join(_listed(providers, rows["URN"]), left_on="URN", right_on="LIST_URN", how="inner")


def _provider_codes(errors: pl.DataFrame, tables: Tables, providers: pl.DataFrame | None) -> pl.DataFrame:
    """219 and 224: the placement types (provider types) the provider list gives for the URN."""
    assert providers is not None
    parts = []
    for code, field, column, words in (
        ("219", "PLACE", "PLACE_CODES", "placement type"),
        ("224", "PLACE_PROVIDER", "PROVIDER_CODES", "provider type"),
    ):
        rows = _episodes_with_provider(errors, tables, providers, [code], field).filter(pl.col(column).list.len() > 0)
        plural = pl.when(pl.col(column).list.len() > 1).then(pl.lit("s")).otherwise(pl.lit(""))
        parts.append(
            rows.with_columns(
                pl.col(column).list.join(" or ").alias("suggested"),
                pl.format("the Ofsted provider list's {}{} for URN {}", pl.lit(words), plural, "URN").alias("reason"),
            )
        )
    return pl.concat(parts)


def _provider_postcode(errors: pl.DataFrame, tables: Tables, providers: pl.DataFrame | None) -> pl.DataFrame:
    """221: the provider list's setting postcode for the URN."""
    assert providers is not None
    rows = _episodes_with_provider(errors, tables, providers, ["221"], "PL_POST")
    return rows.filter(pl.col("LIST_POSTCODE").str.len_chars() >= 5).with_columns(
        _spaced(pl.col("LIST_POSTCODE")).alias("suggested"),
        pl.format("the Ofsted provider list's postcode for URN {}", "URN").alias("reason"),
    )


def _reregistered_urn(errors: pl.DataFrame, tables: Tables, providers: pl.DataFrame | None) -> pl.DataFrame:
    """227 and 228: the one other URN at the deregistered provider's postcode that offers the placement type and
    was still registered after the episode (a home that changed hands gets a new URN)."""
    assert providers is not None
    rows = _with_rows(_failing(errors, ["227", "228"], "URN"), tables.get("Episodes"), ["URN", "PLACE", "DECOM", "DEC"])
    if rows.is_empty():
        return EMPTY
    old = rows.join(
        _listed(providers, rows["URN"]).select("LIST_URN", "LIST_POSTCODE", pl.col("REG_END").alias("OLD_END")),
        left_on="URN",
        right_on="LIST_URN",
        how="inner",
    ).filter(pl.col("LIST_POSTCODE").is_not_null())
    at_postcodes = providers.filter(pl.col("POSTCODE").is_in(old["LIST_POSTCODE"].unique().implode()))
    others = _listed(at_postcodes).select(
        pl.col("LIST_URN").alias("OTHER_URN"), "PLACE_CODES", pl.col("LIST_POSTCODE"), pl.col("REG_END").alias("END")
    )
    after = pl.max_horizontal("DECOM", "DEC")  # the episode's last known day
    candidates = old.join(others, on="LIST_POSTCODE", how="inner").filter(
        (pl.col("OTHER_URN") != pl.col("URN"))
        & pl.col("PLACE_CODES").list.contains(pl.col("PLACE")).fill_null(False)
        & (pl.col("END").is_null() | (pl.col("DEC").is_not_null() & (pl.col("END") > after)))
    )
    key = ["row_number", "source_file", "rule_code"]
    single = candidates.filter(pl.len().over(key) == 1)
    return single.with_columns(
        pl.col("OTHER_URN").alias("suggested"),
        pl.format(
            "the Ofsted provider list's other URN at postcode {} (URN {} was deregistered on {})",
            _spaced(pl.col("LIST_POSTCODE")),
            "URN",
            pl.col("OLD_END").dt.strftime("%d/%m/%Y"),
        ).alias("reason"),
    )


def _real_postcode_of_provider(errors: pl.DataFrame, tables: Tables, providers: pl.DataFrame | None) -> pl.DataFrame:
    """392c: for a placement postcode not in the ONS Postcode Directory, the provider list's postcode for the
    episode's URN when that one is in the directory; nothing otherwise."""
    from csctools.reference.postcodes import compact, lookup

    assert providers is not None
    rows = _episodes_with_provider(errors, tables, providers, ["392c"], "PL_POST")
    if rows.is_empty():
        return EMPTY
    rows = rows.with_columns(compact(pl.col("value")).alias("WRITTEN_KEY"))
    known = set(lookup(pl.concat([rows["WRITTEN_KEY"], rows["LIST_POSTCODE"]]))["KEY"].to_list())
    real = rows.filter(
        ~pl.col("WRITTEN_KEY").is_in(list(known)).fill_null(False) & pl.col("LIST_POSTCODE").is_in(list(known))
    )
    return real.with_columns(
        _spaced(pl.col("LIST_POSTCODE")).alias("suggested"),
        pl.format(
            "the Ofsted provider list's postcode for URN {}, which is in the ONS Postcode Directory", "URN"
        ).alias("reason"),
    )
