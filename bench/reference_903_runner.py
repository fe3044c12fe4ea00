"""Run csc-validator-be-903 (the sector's reference validator) on one return and print its findings as JSON.

Runs in a separate environment that has csc-validator-be-903 installed (never a project dependency):
    /path/to/ref-venv/bin/python bench/reference_903_runner.py THIS_YEAR_DIR LAST_YEAR_DIR RULESET LA_ONS_CODE
Prints {"errors": {code: [[table, row_index], ...]}, "failed": [...], "skipped": [...], "cpu": s, "wall": s}.
"""

import importlib
import json
import logging
import resource
import sys
import time
from pathlib import Path


def main() -> None:
    logging.disable(logging.CRITICAL)
    this_year, last_year, ruleset, la = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3], sys.argv[4]
    from lac_validator import lac_validator

    files = [
        {"name": p.name, "file_content": p.read_bytes(), "description": "This year"}
        for p in sorted(this_year.glob("*.csv"))
    ]
    if last_year.exists():
        files += [
            {"name": p.name, "file_content": p.read_bytes(), "description": "Prev year"}
            for p in sorted(last_year.glob("*.csv"))
        ]
    registry = importlib.import_module(f"lac_validator.rules.{ruleset}").registry
    start = time.perf_counter()
    year_end = ruleset[-2:]
    validator = lac_validator.LacValidator(
        metadata={"collectionYear": f"20{year_end}", "localAuthority": la}, files=files, registry=registry
    )
    wall = time.perf_counter() - start
    errors: dict[str, list[list[object]]] = {}
    for table, frame in validator.ds_results.items():
        if table == "metadata" or not hasattr(frame, "columns"):
            continue
        for column in frame.columns:
            if str(column).startswith("ERR_"):
                rows = frame.index[frame[column].fillna(False).astype(bool)].tolist()
                if rows:
                    errors.setdefault(str(column)[4:], []).extend([[table, int(r)] for r in rows])
    usage = resource.getrusage(resource.RUSAGE_SELF)
    peak = int(Path("/proc/self/status").read_text().split("VmHWM:")[1].split()[0]) / 1024
    result = {
        "errors": errors,
        "failed": validator.fails,
        "skipped": validator.skips,
        "ran": validator.dones,
        "cpu": usage.ru_utime + usage.ru_stime,
        "wall": wall,
        "peak_mib": peak,
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
