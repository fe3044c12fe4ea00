"""The returns of one add read and validated in worker processes, in order, with last year's return from the store.

Each return is read in a worker (`arrive`), then, once its authority, return and year are known, the main process
reads the same authority's previous-year submission back from the store (inside the add's transaction, so one of
this add counts: it is kept first when still being validated) and a worker validates the return with it
(`check`). Results come back in the order the returns were given; at most a few returns are in flight at once, so
memory does not grow with the number of returns.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future
from pathlib import Path

from csctools.reference.authorities import Authority
from csctools.store.intake import VALIDATED, Arrival, LastYear, Submission, arrive, check

LastYearLookup = Callable[[str, str, int], LastYear | None]
Skipped = Callable[[list[Path]], None]


def _done(value: Submission | None) -> Future[Submission | None]:
    future: Future[Submission | None] = Future()
    future.set_result(value)
    return future


class _Serial(Executor):
    """Runs each call at once in this process (--jobs 1)."""

    def submit(self, fn, /, *args, **kwargs):  # type: ignore[no-untyped-def]  # Executor's own signature
        future: Future[object] = Future()
        future.set_result(fn(*args, **kwargs))
        return future


def submissions(
    groups: list[list[Path]],
    la: Authority | None,
    packs: tuple[str, ...],
    last_year: LastYearLookup,
    skipped: Skipped,
    jobs: int,
) -> Iterator[Submission]:
    """Every group of files as a submission (rejected or validated), in order; provider lists reported to
    `skipped`. `last_year(la_number, dataset, end_year)` reads last year's submission from the store."""
    if jobs <= 1 or len(groups) < 3:
        yield from _run(_Serial(), groups, la, packs, last_year, skipped, 1)
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("spawn")) as pool:
        yield from _run(pool, groups, la, packs, last_year, skipped, jobs)


def _run(
    pool: Executor,
    groups: list[list[Path]],
    la: Authority | None,
    packs: tuple[str, ...],
    last_year: LastYearLookup,
    skipped: Skipped,
    jobs: int,
) -> Iterator[Submission]:
    window = 2 * jobs + 1  # returns read ahead, and validations in flight, at most
    reads: deque[tuple[list[Path], Future[Arrival | Submission | None]]] = deque()
    checks: deque[tuple[list[Path], tuple[str, str, int] | None, Future[Submission | None]]] = deque()
    waiting = iter(groups)

    def read_ahead() -> None:
        while len(reads) < window:
            group = next(waiting, None)
            if group is None:
                return
            reads.append((group, pool.submit(arrive, group, la)))

    def results(until: tuple[str, str, int] | None = None, keep: int = 0) -> Iterator[Submission]:
        """Validations in order: up to and including the one of `until`, or until `keep` remain in flight."""
        while checks and (len(checks) > keep or until is not None):
            group, key, future = checks.popleft()
            submission = future.result()
            if submission is None:
                skipped(group)
            else:
                yield submission
            if until is not None and key == until:
                return

    read_ahead()
    while reads:
        group, read = reads.popleft()
        read_ahead()
        came = read.result()
        if not isinstance(came, Arrival):
            checks.append((group, None, _done(came)))
        else:
            number, dataset, year = came.key
            before = (number, dataset, year - 1)
            if any(key == before for _, key, _ in checks):
                yield from results(until=before)  # last year's return of this add: kept before it is looked up
            previous = last_year(number, dataset, year) if dataset in VALIDATED else None
            checks.append((group, came.key, pool.submit(check, came, previous, packs)))
        yield from results(keep=window)
    yield from results()
