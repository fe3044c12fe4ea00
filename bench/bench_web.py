"""Benchmark: the web page's API (`csc serve`) on a synthetic SSDA903 return with last year's, over real HTTP.

Usage: python bench/bench_web.py --children 50000 [--record bench/RESULTS.md]
Times each step the page makes: upload and describe the files, validate, fetch results, open a child, download XLSX.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import threading
import time
import urllib.request
from pathlib import Path

from csctools.synth.generate import SynthOptions, generate
from csctools.web.server import TOKEN_HEADER, CscServer
from csctools.years import CollectionYear
from record import heading, publish

DATA = Path(__file__).parent / "_data"
YEAR = CollectionYear(2026)


def ensure_data(children: int) -> Path:
    folder = DATA / f"web-{children}"
    if not (folder / "done").exists():
        options = SynthOptions(
            ["383"], YEAR.previous(), YEAR, children=children, seed=11, formats=("csv",), annex_a=False, inject=200
        )
        generate(options, folder)
        (folder / "done").write_text("ok\n")
    return folder / "383"


TOKEN: dict[str, str] = {}  # the server's secret, as the page sends it


def call(url: str, method: str = "GET", body: bytes | None = None) -> bytes:
    request = urllib.request.Request(url, data=body, method=method, headers=TOKEN)
    with urllib.request.urlopen(request, timeout=600) as response:
        return bytes(response.read())


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--children", type=int, default=50_000)
    parser.add_argument("--record", type=Path)
    args = parser.parse_args()
    root = ensure_data(args.children)
    server = CscServer(0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    TOKEN[TOKEN_HEADER] = server.token
    api = server.url + "api/"
    timings: list[tuple[str, float, str]] = []

    def step(name: str, action: object, detail: str = "") -> bytes:
        start = time.perf_counter()
        result = action() if callable(action) else b""
        timings.append((name, time.perf_counter() - start, detail))
        print(f"{name}: {timings[-1][1]:.2f} s", file=sys.stderr)
        return bytes(result)

    this_year = sorted((root / "2025_26" / "ssda903").glob("*.csv"))
    last_year = sorted((root / "2024_25" / "ssda903").glob("*.csv"))
    size = sum(p.stat().st_size for p in this_year + last_year) / 2**20

    def upload_all() -> bytes:
        for role, paths in (("current", this_year), ("previous", last_year)):
            for path in paths:
                call(f"{api}files?role={role}&name={path.name}", "POST", path.read_bytes())
        return call(api + "files")

    files = f"{len(this_year) + len(last_year)} files, {size:.0f} MiB"
    step("upload 2 years and describe the files", upload_all, files)

    def validate() -> bytes:
        call(api + "validate", "POST", json.dumps({"la": "383"}).encode())
        while json.loads(call(api + "status"))["state"] == "running":
            time.sleep(0.05)
        return b""

    step("validate (read, derive postcodes, every rule)", validate)
    results = json.loads(step("fetch results (rules and children)", lambda: call(api + "results")))
    children = results["children"]
    child = children[0]["child_id"]
    step("open one child", lambda: call(f"{api}child?id={child}"))
    xlsx = step("download the XLSX report", lambda: call(api + "report.xlsx"))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    server.shutdown()
    server.server_close()  # ends the reader's worker process, so its peak is counted below
    worker_peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    lines = [
        *heading(f"Web page API, {args.children:,} children with last year"),
        f"{results['error_count']:,} errors and {results['query_count']:,} queries in {len(children):,} children; "
        f"XLSX {len(xlsx) / 2**20:.1f} MiB; peak memory of the server {peak:.0f} MiB, of its reader process "
        f"{worker_peak:.0f} MiB.",
        "",
        "| step | wall s | |",
        "| --- | ---: | --- |",
        *(f"| {name} | {seconds:.2f} | {detail} |" for name, seconds, detail in timings),
    ]
    publish(lines, args.record)


if __name__ == "__main__":
    main()
