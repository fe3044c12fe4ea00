"""Run csc-validator-be-cin (the sector's reference) on one CIN census XML and print its findings as JSON.

Runs in a separate environment with csc-validator-be-cin installed (never a project dependency):
    /path/to/ref-venv/bin/python bench/reference_cin_runner.py CENSUS.xml RULESET
Prints {"issues": {code: [child ids]}, "la_level": [codes], "crashed": [codes], "cpu": s, "wall": s, "peak_mib": m}.
"""

import contextlib
import importlib
import io
import json
import resource
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path


def main() -> None:
    path, ruleset = Path(sys.argv[1]), sys.argv[2]
    from cin_validator import cin_validator

    start = time.perf_counter()
    captured = io.StringIO()
    with contextlib.redirect_stdout(captured):
        root = ET.parse(path).getroot()
        data = cin_validator.process_data(cin_validator.convert_data(root))
        registry = importlib.import_module(f"cin_validator.rules.{ruleset}").registry
        validator = cin_validator.CinValidator(data, registry)
    wall = time.perf_counter() - start
    crashed = sorted(
        {line.split()[3].rstrip(":") for line in captured.getvalue().splitlines() if line.startswith("Error with rule")}
    )
    issues: dict[str, list[str]] = {}
    frame = validator.full_issue_df
    for code, child in zip(frame["rule_code"], frame["child_id"], strict=False):
        issues.setdefault(str(code), []).append(str(child))
    multi = validator.multichild_issues
    la_codes = sorted({str(c) for c in multi["rule_code"]}) if len(multi) else []
    usage = resource.getrusage(resource.RUSAGE_SELF)
    peak = int(Path("/proc/self/status").read_text().split("VmHWM:")[1].split()[0]) / 1024
    print(
        json.dumps(
            {
                "issues": issues,
                "la_level": la_codes,
                "crashed": crashed,
                "cpu": usage.ru_utime + usage.ru_stime,
                "wall": wall,
                "peak_mib": peak,
            }
        )
    )


if __name__ == "__main__":
    main()
