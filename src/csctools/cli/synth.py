"""`csc synth`: write synthetic returns for one or many authorities over consecutive years."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from csctools.cli.common import err_console, fail, parse_year


def synth_command(
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder to write into")] = Path("synthetic"),
    la: Annotated[
        list[str] | None,
        typer.Option("--la", help="Authority: 3-digit code, ONS code or name; repeat for several"),
    ] = None,
    first_year: Annotated[str, typer.Option("--from", help="First collection year, e.g. 2024/25")] = "2024/25",
    last_year: Annotated[str, typer.Option("--to", help="Last collection year, e.g. 2025/26")] = "2025/26",
    children: Annotated[
        int | None,
        typer.Option(help="Children to simulate (about how many each return holds); default: the authority's size"),
    ] = None,
    seed: Annotated[int, typer.Option(help="Random seed: the same seed gives the same files")] = 1,
    formats: Annotated[list[str] | None, typer.Option("--format", help="903 format: csv, xml (repeatable)")] = None,
    inject: Annotated[int, typer.Option(help="Errors to inject into each return (recorded in injections.csv)")] = 0,
    mutation: Annotated[list[str] | None, typer.Option(help="Only these named mutations (repeatable)")] = None,
    dense: Annotated[
        float,
        typer.Option(
            help="Instead of --inject: break every cell the mutations can break (many a row) in this share of each "
            "table's rows, 0 to 1, seeded and recorded in injections.csv; e.g. 0.5 for a return with very many "
            "findings from few children (the reports' benchmarks)"
        ),
    ] = 0.0,
    cin: Annotated[bool, typer.Option(help="Write the CIN census")] = True,
    annex_a: Annotated[bool, typer.Option("--annex-a/--no-annex-a", help="Write the Annex A workbook")] = True,
) -> None:
    """Generate seeded synthetic SSDA903 (CSV and XML), CIN census (XML) and Annex A (XLSX) files."""
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from csctools.reference.authorities import find_authority, postcodes_in
    from csctools.synth.generate import SynthOptions, generate
    from csctools.synth.inject import BY_NAME

    first, last = parse_year(first_year), parse_year(last_year)
    assert first is not None and last is not None
    if first > last:
        fail(f"--from {first} is after --to {last}")
    from csctools.inputs import supported_years

    years = supported_years("ssda903")
    if first < years[0] or last > years[-1]:
        fail(f"synthetic returns can be made for {years[0].label} to {years[-1].label} (the years of the data model)")
    if children is not None and children < 1:
        fail("--children must be at least 1")
    chosen = formats or ["csv", "xml"]
    if unknown := [f for f in chosen if f not in ("csv", "xml")]:
        fail(f"unknown --format {unknown[0]} (choose csv or xml)")
    if bad := [m for m in mutation or [] if m not in BY_NAME]:
        fail(f"unknown --mutation {bad[0]} (known: {', '.join(BY_NAME)})")
    if not 0 <= dense <= 1:
        fail(f"--dense is a share of rows, from 0 to 1 (not {dense})")
    if dense and inject:
        fail("give --inject N (cells in all) or --dense SHARE (a share of rows), not both")
    if mutation and not (inject or dense):
        fail("--mutation chooses which errors --inject adds: give --inject N too (or --dense SHARE)")
    codes = la or ["383"]
    for code in codes:
        try:
            postcodes_in(find_authority(code))
        except LookupError as error:
            fail(str(error))
    options = SynthOptions(codes, first, last, children, seed, tuple(chosen), inject, mutation, annex_a, cin, dense)
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        console=err_console(),
        transient=True,
    ) as progress:
        task = progress.add_task("starting", total=None)
        result = generate(options, out, lambda message: progress.update(task, description=message))
    written = {path.resolve() for path in result.files}
    for number, folder in result.folders.items():
        typer.echo(f"{find_authority(number).name} ({number}): {folder}")
        size = result.sizes[number]
        if size.source:
            typer.echo(f"  {size.care:,} children (CIN {size.cin:,}), sized from {size.source}")
        else:
            say_scaled(number, size.care)
        earlier = sorted(p for p in folder.rglob("*") if p.is_file() and p.resolve() not in written)
        if earlier:  # a mix of two runs validates as neither (last year's files from one, this year's from another)
            typer.echo(
                f"note: {folder} also holds {len(earlier)} file(s) of an earlier run, not rewritten "
                f"(e.g. {earlier[0].relative_to(folder)}): remove the folder first for a set of this run alone"
            )
    typer.echo(f"{len(result.files)} files written under {out}")
    if result.injections:
        typer.echo(f"{len(result.injections)} injected errors recorded in {out / 'injections.csv'}")


def say_scaled(number: str, children: int) -> None:
    """With --children N, how the returns compare in size with the authority's own: rates per 10,000 children
    (csc indicators, against LAIT) scale with N."""
    from csctools.reference.authorities import find_authority
    from csctools.synth.generate import authority_size

    own = authority_size(find_authority(number))
    if not own.source.startswith("LAIT ") or abs(children / own.care - 1) < 0.2:
        return
    typer.echo(
        f"  {children:,} children (--children); {find_authority(number).name}'s own returns hold about {own.care:,} "
        f"({own.source.split(':')[0]}): rates per 10,000 children will be about {_times(children / own.care)} times "
        "its real ones, so compare them with England's with that in mind"
    )


def _times(ratio: float) -> str:
    """0.18, 1.5, 12, 200: two significant figures, never in exponent form."""
    return f"{ratio:,.0f}" if ratio >= 10 else f"{ratio:.2g}"
