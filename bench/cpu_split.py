"""Run one `csc` command in this process and print, at its end, the CPU seconds and peak memory of this process (for
`csc store add`: the writer) apart from those of its worker processes.

Usage: python bench/cpu_split.py store add STORE FOLDER   (any csc arguments)
"""

from __future__ import annotations

import atexit
import os
import resource
import sys
import time

START = time.perf_counter()


def report() -> None:
    own, workers = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    print(
        f"main cpu {own.ru_utime + own.ru_stime:.1f} (sys {own.ru_stime:.1f}) peak {own.ru_maxrss / 1024:.0f} MiB; "
        f"workers cpu {workers.ru_utime + workers.ru_stime:.1f} (sys {workers.ru_stime:.1f}) peak "
        f"{workers.ru_maxrss / 1024:.0f} MiB; wall {time.perf_counter() - START:.1f}; load {os.getloadavg()[0]:.1f}",
        file=sys.stderr,
    )


if __name__ == "__main__":  # the workers are spawned: they import this module without running the command
    atexit.register(report)
    sys.argv = ["csc", *sys.argv[1:]]
    from csctools.cli.launch import run

    run()
