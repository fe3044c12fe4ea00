"""Where `csc indicators` spends its reading: each of the three returns of bench_indicators.py's data read alone,
in this process (wall and CPU seconds), after importing polars and the reader.

Usage: python bench/phases_indicators_read.py [bench/_data/indicators-50000]
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

START_WALL, START_CPU = time.perf_counter(), time.process_time()
import polars  # noqa: E402, F401

from csctools.read import read_files  # noqa: E402


def main(folder: Path) -> None:
    print(f"import: wall {time.perf_counter() - START_WALL:.2f} s, CPU {time.process_time() - START_CPU:.2f} s")
    year = folder / "383" / "2025_26"
    inputs = {
        "SSDA903 CSV tables": sorted((year / "ssda903").glob("*.csv")),
        "CIN census (one process)": [year / "cin_census_2025_26.xml"],
        "Annex A workbook": [folder / "383" / "annex_a_2025_26.xlsx"],
    }
    for label, paths in inputs.items():
        wall, cpu = time.perf_counter(), time.process_time()
        returns, others = read_files(paths, None, cin_workers=1)
        assert returns and not others, f"{label}: not read"
        print(f"{label}: wall {time.perf_counter() - wall:.2f} s, CPU {time.process_time() - cpu:.2f} s")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).parent / "_data" / "indicators-50000")
