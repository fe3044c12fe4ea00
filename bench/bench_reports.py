"""Benchmark: the HTML and XLSX reports at any size.

Two measurements, each repeated (median and min-max over fresh processes; the machine may be shared):

- `--findings N` (default 1,760,000): a synthetic SSDA903 return with many injected errors is validated once per
  process, its error table repeated (each copy with its own child ids and rows) until it holds N findings, and
  `write_report` times the HTML and the XLSX of that result. A return that really has 1.76 million findings is
  national-sized; repeating a result measures the reports, not the readers.
- `--cli-children N`: `csc validate 903 THIS --previous LAST --la 383` as a user types it, with `-o r.csv` (the
  baseline) and with `-o r.html` / `-o r.xlsx`; the difference is the report's time. With `--before OLD/src`
  the same commands run from that older source too, in turns (wall and CPU seconds of each process).
- `--cli-folder F`: the same commands over a return already made with `csc synth --out F --la 383 ...` (a national
  one: `csc synth --children 100000 --seed 17 --format csv --dense 0.96 --no-cin --no-annex-a` gives 1,760,523
  findings), and `--cli-kinds` to say which reports (default csv,html,xlsx, each alone; `html+xlsx` is one command
  writing both, as a user would ask for them; `none`: no -o, reading and validating alone). The load average is
  printed at the start and the end: the machine may be shared.

Usage: python bench/bench_reports.py [--findings 1760000] [--cli-children 50000 [--cli-inject 5000]]
       [--cli-folder F] [--cli-kinds csv,html+xlsx] [--before OLD/src] [--after NEW/src] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from csctools.synth.generate import SynthOptions, generate
from csctools.years import CollectionYear

DATA = Path(__file__).parent / "_data"
NO_REPORT = "none"  # --cli-kinds none: read and validate only, the base the reports' time is counted from
YEAR = CollectionYear(2026)

SCALED = """
import json, sys, time
from pathlib import Path
import polars as pl
from csctools.datasets.ssda903.read import read_903
from csctools.reference.authorities import find_authority
from csctools.validate.engine import failures_of
from csctools.validate.export import write_report
from csctools.validate.run import validate_return
from csctools.years import CollectionYear
now, last, findings, out = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3]), Path(sys.argv[4])
data, previous = read_903(sorted(now.glob("*.csv"))), read_903(sorted(last.glob("*.csv")))
result = validate_return(data, CollectionYear(2026), find_authority("383"), previous)
base = result.errors
copies = -(-findings // base.height)
errors = pl.concat(
    base.with_columns(
        (pl.col("child_id") + (f"-{k}" if k else "")).alias("child_id"),
        (pl.col("row_number") + k * 1_000_000).alias("row_number"),
    )
    for k in range(copies)
).head(findings)
failed = failures_of(errors)
per_rule = dict(failed.group_by("rule_code").len().iter_rows())
cells = dict(errors.group_by("rule_code").len().iter_rows())
result.errors = errors
result.outcomes = [o._replace(failures=per_rule.get(o.code, 0), cells=cells.get(o.code, 0)) for o in result.outcomes]
found = {"findings": errors.height, "failures": failed.height}
for kind in ("html", "xlsx"):
    path = out / f"scaled.{kind}"
    start, cpu = time.perf_counter(), time.process_time()
    write_report(result, data, path, previous=previous)
    found[kind + "_seconds"] = time.perf_counter() - start
    found[kind + "_cpu"] = time.process_time() - cpu
    found[kind + "_mb"] = path.stat().st_size / 1e6
print(json.dumps(found))
"""


def returns(children: int, inject: int) -> tuple[Path, Path]:
    """This year's and last year's 903 CSV files of a seeded synthetic return (made once)."""
    root = DATA / f"reports-{children}-{inject}"
    if not (root / "done").exists():
        generate(
            SynthOptions(
                ["383"],
                CollectionYear(2025),
                YEAR,
                children=children,
                seed=5,
                annex_a=False,
                formats=("csv",),
                inject=inject,
                cin=False,
            ),
            root,
        )
        (root / "done").write_text("")
    return root / "383" / "2025_26" / "ssda903", root / "383" / "2024_25" / "ssda903"


def spread(values: list[float]) -> str:
    return f"{statistics.median(values):.2f} ({min(values):.2f}-{max(values):.2f})"


def scaled(findings: int, repeat: int, out: Path) -> list[str]:
    now, last = returns(5_000, 3_000)
    runs = []
    for _ in range(repeat):
        done = subprocess.run(
            [sys.executable, "-c", SCALED, str(now), str(last), str(findings), str(out)],
            check=True,
            capture_output=True,
            text=True,
        )
        runs.append(json.loads(done.stdout.strip().splitlines()[-1]))
    first = runs[0]
    lines = [f"{first['findings']:,} findings ({first['failures']:,} failures), {repeat} runs, median (min-max):"]
    for kind in ("html", "xlsx"):
        wall, cpu = spread([r[kind + "_seconds"] for r in runs]), spread([r[kind + "_cpu"] for r in runs])
        lines.append(f"  {kind}: wall {wall} s, CPU {cpu} s, {spread([r[kind + '_mb'] for r in runs])} MB")
    return lines


def run_timed(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU seconds (user + system of the child, from the kernel) of one command."""
    start = time.perf_counter()
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, _, usage = os.wait4(process.pid, 0)
    return time.perf_counter() - start, usage.ru_utime + usage.ru_stime


def cli(
    now: Path,
    last: Path,
    about: str,
    repeat: int,
    out: Path,
    before: Path | None,
    kinds: tuple[str, ...],
    after: Path | None = None,
) -> list[str]:
    """`csc validate 903 ... -o r.KIND` as a user types it (`html+xlsx`: `-o r.html -o r.xlsx` in one command);
    with `before` (a src folder of an older csctools put first on PYTHONPATH), that one and this one in turns, so
    a slow spell of a shared machine falls on both; `after`: this one's src frozen the same way (so that the source
    can change while the benchmark runs)."""
    csc = Path(sys.executable).with_name("csc")
    base = [str(csc), "validate", "903", str(now), "--previous", str(last), "--la", "383"]
    installs = {"after": dict(os.environ) if after is None else {**os.environ, "PYTHONPATH": str(after)}}
    if before is not None:
        installs = {"before": {**os.environ, "PYTHONPATH": str(before)}, **installs}
    print(f"load average at the start: {'/'.join(f'{x:.1f}' for x in os.getloadavg())}", file=sys.stderr)
    wall: dict[tuple[str, str], list[float]] = {(i, k): [] for i in installs for k in kinds}
    cpu: dict[tuple[str, str], list[float]] = {(i, k): [] for i in installs for k in kinds}
    sizes: dict[tuple[str, str], str] = {}
    findings = 0
    for _ in range(repeat):
        for kind in kinds:
            for install, env in installs.items():
                paths = [out / f"cli-{install}.{one}" for one in kind.split("+")] if kind != NO_REPORT else []
                seconds, used = run_timed([*base, *(f for path in paths for f in ("-o", str(path)))], env)
                print(f"  {install} {kind}: wall {seconds:.2f} s, CPU {used:.2f} s", file=sys.stderr, flush=True)
                wall[install, kind].append(seconds)
                cpu[install, kind].append(used)
                sizes[install, kind] = " + ".join(f"{path.stat().st_size / 1e6:.2f}" for path in paths)
                if kind == "csv":
                    with paths[0].open("rb") as table:
                        findings = sum(1 for _ in table) - 1  # the error table: a row per finding
    load = "/".join(f"{x:.1f}" for x in os.getloadavg())
    lines = [f"csc validate 903, {about}, {repeat} runs in turns, median (min-max), load average at the end {load}:"]
    if "csv" in kinds:
        lines.append(f"  findings (rows of the CSV error table): {findings:,}")
    for install, kind in wall:
        outputs = " ".join(f"-o r.{one}" for one in kind.split("+")) if kind != NO_REPORT else "(no -o)"
        lines.append(
            f"  {install:>6} {outputs}: wall {spread(wall[install, kind])} s, CPU {spread(cpu[install, kind])} s, "
            f"{sizes[install, kind]} MB"
        )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--findings", type=int, default=1_760_000)
    parser.add_argument("--cli-children", type=int, default=0)
    parser.add_argument("--cli-inject", type=int, default=0, help="errors injected (default: a tenth of children)")
    parser.add_argument("--cli-folder", type=Path, default=None, help="a return made by csc synth --out F --la 383")
    parser.add_argument(
        "--cli-kinds", default="csv,html,xlsx", help="reports, comma-separated (html+xlsx: both; none: no -o)"
    )
    parser.add_argument("--before", type=Path, default=None, help="src folder of an older csctools, for the CLI")
    parser.add_argument("--after", type=Path, default=None, help="src folder of this csctools, frozen, for the CLI")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    out = DATA / "reports-out"
    out.mkdir(parents=True, exist_ok=True)
    lines = scaled(args.findings, args.repeat, out) if args.findings else []
    kinds = tuple(args.cli_kinds.split(","))
    if args.cli_children:
        inject = args.cli_inject or args.cli_children // 10
        now, last = returns(args.cli_children, inject)
        about = f"{args.cli_children:,} children with last year, {inject:,} injected"
        lines += cli(now, last, about, args.repeat, out, args.before, kinds, args.after)
    if args.cli_folder:
        now, last = (args.cli_folder / "383" / year / "ssda903" for year in ("2025_26", "2024_25"))
        about = f"the return in {args.cli_folder} with last year"
        lines += cli(now, last, about, args.repeat, out, args.before, kinds, args.after)
    print("\n".join(lines))


if __name__ == "__main__":
    main()
