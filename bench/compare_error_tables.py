"""Error tables byte-for-byte: the same `csc validate ... -o errors.csv` run by two copies of csctools' source.

For a change to the engine that must not change any result. The returns are synthetic and seeded: an SSDA903 return
with last year's, and a CIN census, each once clean and once with errors injected by `csc synth --inject`. Each
copy of the source (a folder holding `csctools/`, e.g. one made with `git archive COMMIT src | tar -x -C DIR`) runs
the command a user types, with this interpreter; the CSV report (the error table) is compared byte for byte, and
the JSON report (outcome of every rule, counts, notes) byte for byte once the built-in packs' content hash, a hash
of the rule modules' source that any edit changes, is blanked.

Usage: python bench/compare_error_tables.py --before /tmp/before/src [--after src] [--children 2000]
Exit status 0 when every report is identical, 1 otherwise (the first differing lines are printed).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

DATA = Path(__file__).parent / "_data"
CSC = "from csctools.cli.launch import run; run()"  # the `csc` entry point


def synthetic(children: int, inject: int) -> Path:
    """Two years of 903 (CSV) and the CIN census, seeded, written once and kept under bench/_data."""
    folder = DATA / f"error-tables-{children}-{inject}"
    if not (folder / "done").exists():
        command = [sys.executable, "-c", CSC, "synth", "--out", str(folder), "--la", "383", "--from", "2024/25"]
        command += ["--to", "2025/26", "--children", str(children), "--seed", "2026", "--format", "csv"]
        command += ["--no-annex-a", "--inject", str(inject)]
        subprocess.run(command, check=True, capture_output=True)
        (folder / "done").write_text("ok\n")
    return folder / "383"


def cases(children: int) -> dict[str, list[str]]:
    """The validations compared: each return, clean and with injected errors."""
    found: dict[str, list[str]] = {}
    for inject in (0, max(20, children // 20)):
        root = synthetic(children, inject)
        now, last = root / "2025_26", root / "2024_25"
        label = "injected" if inject else "clean"
        found[f"903-{label}"] = ["903", str(now / "ssda903"), "--previous", str(last / "ssda903"), "--la", "383"]
        found[f"cin-{label}"] = ["cin", str(now / "cin_census_2025_26.xml"), "--la", "383"]
    return found


def reports(source: Path, arguments: list[str], out: Path) -> list[Path]:
    """Run `csc validate` from `source`; the CSV and JSON reports it wrote."""
    written = [out / "errors.csv", out / "report.json"]
    command = [sys.executable, "-c", CSC, "validate", *arguments]
    for path in written:
        command += ["-o", str(path)]
    environment = os.environ | {"PYTHONPATH": str(source)}
    done = subprocess.run(command, capture_output=True, text=True, env=environment)
    if done.returncode not in (0, 1):  # 1: the return has errors
        raise SystemExit(f"{source}: csc validate {' '.join(arguments)} failed:\n{done.stderr}")
    return written


def comparable(path: Path) -> bytes:
    """The report's bytes; for JSON, with the built-in packs' content hash blanked."""
    if path.suffix != ".json":
        return path.read_bytes()
    report = json.loads(path.read_text(encoding="utf-8"))
    for pack in report["packs"]:
        if pack["source"] == "built in":
            pack["content_hash"] = "-"
    return json.dumps(report, indent=1, ensure_ascii=False).encode()


def differences(before: Path, after: Path) -> list[str]:
    """Nothing when the files are the same bytes; else the first lines that differ."""
    old, new = comparable(before), comparable(after)
    if old == new:
        return []
    pairs = zip(old.splitlines(), new.splitlines(), strict=False)
    lines = [f"  before: {a!r}\n  after:  {b!r}" for a, b in pairs if a != b][:3]
    return [f"{after.name}: {len(old):,} bytes before, {len(new):,} after", *lines]


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--before", type=Path, required=True, help="folder holding the old csctools package")
    parser.add_argument("--after", type=Path, default=Path(__file__).parents[1] / "src")
    parser.add_argument("--children", type=int, action="append", help="children per return (repeatable)")
    args = parser.parse_args()
    failed = False
    for children in args.children or [2000]:
        for name, arguments in cases(children).items():
            with tempfile.TemporaryDirectory() as scratch:
                old, new = Path(scratch, "before"), Path(scratch, "after")
                old.mkdir()
                new.mkdir()
                pairs = zip(reports(args.before, arguments, old), reports(args.after, arguments, new), strict=True)
                found = [line for a, b in pairs for line in differences(a, b)]
                rows = sum(1 for _ in (new / "errors.csv").open()) - 1
            print(f"{children:,} children, {name}: {'DIFFERENT' if found else 'identical'} ({rows:,} error rows)")
            for line in found:
                print(line)
            failed = failed or bool(found)
    raise SystemExit(1 if failed else 0)


if __name__ == "__main__":
    main()
