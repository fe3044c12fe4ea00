"""The returns of one add read and validated in worker processes, in order, with last year's return from the store.

Each return is read in a worker (`arrive_held`), which keeps its tables; once its authority, return and year are
known, the main process finds the same authority's previous-year submission (among the returns this add has just
kept, else read back from the store inside the add's transaction; one of this add still being validated is kept
first) and the same worker validates the return with it (`check_held`), so a return's tables cross between the
processes once. Last year's return validated by the same worker a few checks before (a hub's folders go authority
by authority, year by year, so each kind of return tends to fall to the same worker) is not sent to it again: a
worker keeps the tables of its latest checks, as stored, and is told which one. Results come back in the order of
the groups; at most a few returns are in flight at once, so memory does not grow with the number of returns."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor, Future
from pathlib import Path

from csctools.reference.authorities import Authority
from csctools.store.intake import (
    KEPT_IN_WORKER,
    VALIDATED,
    Arrival,
    HeldLastYear,
    LastYear,
    Submission,
    arrive_held,
    check_held,
)

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
        yield from _run([_Serial()], groups, la, packs, last_year, skipped)
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    # one single-process executor per worker, so that a return is validated by the process that read it
    spawn = multiprocessing.get_context("spawn")
    workers = [ProcessPoolExecutor(1, mp_context=spawn) for _ in range(jobs)]
    try:
        yield from _run(workers, groups, la, packs, last_year, skipped)
    finally:
        for worker in workers:
            worker.shutdown(cancel_futures=True)


def _run(
    workers: Sequence[Executor],
    groups: list[list[Path]],
    la: Authority | None,
    packs: tuple[str, ...],
    last_year: LastYearLookup,
    skipped: Skipped,
) -> Iterator[Submission]:
    window = 2 * len(workers) + 1  # returns read ahead, and validations in flight, at most
    reads: deque[tuple[list[Path], int, Future[Arrival | Submission | None]]] = deque()
    checks: deque[tuple[list[Path], tuple[str, str, int] | None, Future[Submission | None]]] = deque()
    waiting = iter(enumerate(groups))
    # per worker, the tokens of its latest checks, whose tables it keeps (the same first-in, first-out order)
    checked: list[deque[int]] = [deque(maxlen=KEPT_IN_WORKER) for _ in workers]

    def read_ahead() -> None:
        while len(reads) < window:
            token, group = next(waiting, (0, None))
            if group is None:
                return
            reads.append((group, token, workers[token % len(workers)].submit(arrive_held, group, la, token)))

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
        group, token, read = reads.popleft()
        read_ahead()
        came = read.result()
        if not isinstance(came, Arrival):
            checks.append((group, None, _done(came)))
        else:
            number, dataset, year = came.key
            before = (number, dataset, year - 1)
            if any(key == before for _, key, _ in checks):
                yield from results(until=before)  # last year's return of this add: kept before it is looked up
            found = last_year(number, dataset, year) if dataset in VALIDATED else None
            held = checked[token % len(workers)]  # the process holding the return's tables, and its latest checks'
            previous: LastYear | HeldLastYear | None = found
            if found is not None and found.token is not None and found.token in held:
                previous = HeldLastYear(found.submission_id, found.version, found.token)  # its tables stay there
            held.append(token)
            worker = workers[token % len(workers)]
            checks.append((group, came.key, worker.submit(check_held, token, previous, packs)))
        yield from results(keep=window)
    yield from results()
