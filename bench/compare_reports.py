"""Check: two installs of csctools write the same HTML and XLSX reports of the same return, but for the run date.

Runs `csc validate 903 THIS --previous LAST --la 383 -o r.html -o r.xlsx` with each `csc` and compares the HTML text
and every part of the XLSX byte for byte (the workbook's creation time and the report's run date left out).

Usage: python bench/compare_reports.py --before /work/wt/baseline/.venv/bin/csc --folder F [--folder G ...]
       (F: a return made by `csc synth --out F --la 383 --from 2024/25 --to 2025/26 ...`)
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

RUN_DATE = re.compile(rb"\d{4}-\d\d-\d\d \d\d:\d\d")  # the run date every report prints
SKIPPED_PARTS = ("docProps/core.xml",)  # the workbook's creation time


def reports(csc: Path, folder: Path, out: Path) -> tuple[Path, Path]:
    now, last = (folder / "383" / year / "ssda903" for year in ("2025_26", "2024_25"))
    html, xlsx = out / "r.html", out / "r.xlsx"
    command = [str(csc), "validate", "903", str(now), "--previous", str(last), "--la", "383"]
    subprocess.run([*command, "-o", str(html), "-o", str(xlsx)], capture_output=True, check=False)
    return html, xlsx


def xlsx_parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as book:
        return {n: RUN_DATE.sub(b"(run date)", book.read(n)) for n in book.namelist() if n not in SKIPPED_PARTS}


def differences(before: tuple[Path, Path], after: tuple[Path, Path]) -> list[str]:
    found = []
    if RUN_DATE.sub(b"", before[0].read_bytes()) != RUN_DATE.sub(b"", after[0].read_bytes()):
        found.append("HTML differs")
    old, new = xlsx_parts(before[1]), xlsx_parts(after[1])
    found += [f"XLSX part {name} differs" for name in sorted(old.keys() | new.keys()) if old.get(name) != new.get(name)]
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--before", type=Path, required=True, help="the other install's csc")
    parser.add_argument("--after", type=Path, default=Path(sys.executable).with_name("csc"))
    parser.add_argument("--folder", type=Path, action="append", required=True)
    args = parser.parse_args()
    failed = False
    for folder in args.folder:
        with tempfile.TemporaryDirectory() as temp:
            (Path(temp) / "before").mkdir()
            (Path(temp) / "after").mkdir()
            before = reports(args.before, folder, Path(temp) / "before")
            after = reports(args.after, folder, Path(temp) / "after")
            found = differences(before, after)
            sizes = ", ".join(f"{p.name} {p.stat().st_size:,} bytes" for p in after)
            print(f"{folder}: {'; '.join(found) if found else 'the same'} ({sizes})")
            failed = failed or bool(found)
    raise SystemExit(1 if failed else 0)


if __name__ == "__main__":
    main()
