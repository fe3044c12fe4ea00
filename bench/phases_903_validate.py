"""Where `csc validate 903 THIS --previous LAST --la 383 -o errors.csv` spends its CPU, phase by phase (issue 17).

Usage: [POLARS_MAX_THREADS=N] python bench/phases_903_validate.py [--children 1000] [--repeat 5]

Each round is a fresh process running the command as `csc` does (cli/launch.py), with the command's own functions
wrapped to take the process's CPU time (user + system of every thread, `time.process_time`) around each phase:
the modules the command imports (typer and the commands, then polars, the rules, the readers), reading the files
(the reader's share), the registry, the postcode look-ups (`prepare`), the rules handing back their plans, the one
collect, the error rows, the rest of the engine and writing the CSV. The interpreter's own start (before the
script runs) is measured apart as `python -c pass`. Median (min-max) over the rounds; data from bench_validate.py.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

DATA = Path(__file__).parent / "_data"
Phases = dict[str, float]


def timed(spent: Phases, phase: str, function: Callable[..., Any]) -> Callable[..., Any]:
    """`function`, adding the CPU seconds of each call to `spent[phase]` (calls inside a timed call are not counted
    twice: the outer phase gives the inner's time back)."""

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        start = time.process_time()
        before = sum(spent.values())
        try:
            return function(*args, **kwargs)
        finally:
            inner = sum(spent.values()) - before
            spent[phase] = spent.get(phase, 0.0) + time.process_time() - start - inner

    return wrapper


def one_round(folder: Path, output: Path) -> Phases:
    """Run the command once in this process; CPU seconds per phase."""
    spent: Phases = {}
    start = time.process_time()
    import csctools.cli.main  # typer and every command module: what `csc` loads before parsing

    spent["import: typer + commands"] = time.process_time() - start
    mark = time.process_time()
    import polars  # noqa: F401

    spent["import: polars"] = time.process_time() - mark
    mark = time.process_time()
    import csctools.cli.pack_options  # what validate_command imports
    import csctools.reference.postcodes
    import csctools.rules.ssda903
    import csctools.validate.export
    import csctools.validate.run
    from csctools.cli import validate as command
    from csctools.validate import engine

    spent["import: csctools (rules, readers, engine)"] = time.process_time() - mark
    command.read_inputs = timed(spent, "read the files", command.read_inputs)
    csctools.cli.pack_options.registry_for = timed(spent, "registry", csctools.cli.pack_options.registry_for)
    csctools.rules.ssda903.prepare = timed(spent, "postcodes (prepare)", csctools.rules.ssda903.prepare)
    engine._handed_back = timed(spent, "rules: hand back plans", engine._handed_back)
    engine._collected = timed(spent, "rules: one collect", engine._collected)
    engine._error_rows = timed(spent, "rules: error rows", engine._error_rows)
    engine.validate = timed(spent, "engine: the rest (outcomes, sort)", engine.validate)
    setattr(csctools.validate.run, "validate", engine.validate)  # noqa: B010  run.py imported it by name
    csctools.validate.export.write_report = timed(spent, "write the CSV", csctools.validate.export.write_report)
    now, last = folder / "2025_26" / "ssda903", folder / "2024_25" / "ssda903"
    sys.argv = ["csc", "validate", "903", str(now), "--previous", str(last), "--la", "383", "-o", str(output)]
    mark = time.process_time()
    stdout = sys.stdout
    sys.stdout = open(os.devnull, "w")  # noqa: SIM115
    try:
        from csctools.cli.main import run

        run()
    except SystemExit:
        pass
    finally:
        sys.stdout.close()
        sys.stdout = stdout
    spent["command: the rest (typer, messages)"] = (
        time.process_time() - mark - sum(v for k, v in spent.items() if not k.startswith("import"))
    )
    spent["total in the script"] = time.process_time() - start
    return spent


def spread(values: list[float]) -> str:
    return f"{statistics.median(values):.3f} ({min(values):.3f}-{max(values):.3f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--children", type=int, default=1000, help="a return bench_validate.py made")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--once", type=Path, help=argparse.SUPPRESS)  # a round: the CSV to write
    args = parser.parse_args()
    folder = DATA / f"validate-{args.children}" / "383"
    if args.once is not None:
        import gc

        gc.disable()  # as cli/launch.py does for `csc validate`, which also leaves without Python's exit tidying
        print(json.dumps(one_round(folder, args.once)), flush=True)
        os._exit(0)
    if not folder.exists():
        raise SystemExit(f"no data in {folder}: run bench_validate.py --children {args.children} first")
    rounds: list[Phases] = []
    bare: list[float] = []
    for _ in range(args.repeat):
        before = os.times()
        subprocess.run([sys.executable, "-c", "pass"], check=True)
        after = os.times()
        bare.append(after.children_user - before.children_user + after.children_system - before.children_system)
        with tempfile.TemporaryDirectory() as scratch:
            me = [sys.executable, __file__, "--children", str(args.children), "--once", str(Path(scratch, "e.csv"))]
            child = subprocess.Popen(me, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
            out = child.stdout.read() if child.stdout else ""
            _, _, usage = os.wait4(child.pid, 0)
            phases = json.loads(out)
            phases["whole process (kernel's count)"] = usage.ru_utime + usage.ru_stime
            rounds.append(phases)
    threads = os.environ.get("POLARS_MAX_THREADS", "default")
    print(f"CPU seconds per phase, {args.children:,} children, POLARS_MAX_THREADS={threads}, {args.repeat} rounds")
    print(f"load average {os.getloadavg()[0]:.1f}\n")
    print("| phase | CPU s, median (min-max) |\n| --- | ---: |")
    print(f"| interpreter start (`python -c pass`) | {spread(bare)} |")
    for phase in rounds[0]:
        print(f"| {phase} | {spread([r.get(phase, 0.0) for r in rounds])} |")


if __name__ == "__main__":
    main()
