"""Benchmark helper: one report of a saved 1.76-million-finding result per fresh process, so two installs can be
timed in turns on exactly the same result (imports paid as `csc validate -o` pays them).

  python bench/report_turns.py make STATE [--findings 1760000]   # bench_reports.py's scaled result, pickled
  PYTHONPATH=OLD/src python bench/report_turns.py write STATE OUT html   # prints the CPU and wall seconds

The state file is a pickle this script wrote itself (bench/_data; never load one from elsewhere).
"""

from __future__ import annotations

import argparse
import pickle
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))


def make(state: Path, findings: int) -> None:
    from bench_reports import SCALED, returns

    now, last = returns(5_000, 3_000)
    keep = f"import pickle\npickle.dump((result, data, previous), open({str(state)!r}, 'wb'))\nraise SystemExit\n"
    script = SCALED.replace('found = {"findings"', keep + 'found = {"findings"', 1)
    subprocess.run([sys.executable, "-c", script, str(now), str(last), str(findings), str(state.parent)], check=True)


def write(state: Path, out: Path, kind: str) -> None:
    with state.open("rb") as saved:
        result, data, previous = pickle.load(saved)  # written by `make` above
    from csctools.validate.export import write_report

    start, cpu = time.perf_counter(), time.process_time()
    write_report(result, data, out.with_suffix("." + kind), previous=previous)
    print(f"{kind} cpu {time.process_time() - cpu:.2f} wall {time.perf_counter() - start:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("step", choices=("make", "write"))
    parser.add_argument("state", type=Path)
    parser.add_argument("out", type=Path, nargs="?")
    parser.add_argument("kind", nargs="?", default="html")
    parser.add_argument("--findings", type=int, default=1_760_000)
    args = parser.parse_args()
    if args.step == "make":
        make(args.state, args.findings)
    else:
        write(args.state, args.out or args.state.with_name("report"), args.kind)


if __name__ == "__main__":
    main()
