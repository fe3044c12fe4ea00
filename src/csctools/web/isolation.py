"""Reading untrusted uploads in a separate process, so a reader that aborts, panics, runs out of memory or never
finishes cannot take the server down with it.

One worker process (started with `spawn`: a fresh interpreter, no threads inherited) runs one call at a time under
an address-space limit; the server waits for its answer for at most a time limit, and replaces a worker that died
or was too slow. A reader's own error comes back as the same exception; anything else becomes `ReaderFailed`.
"""

from __future__ import annotations

import importlib
import io
import multiprocessing
import os
import pickle
import sys
import threading
from collections.abc import Callable
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from multiprocessing.reduction import ForkingPickler
from typing import Any, NamedTuple, TypeVar

Result = TypeVar("Result")
MIN_MEMORY = 2 * 2**30
START_SECONDS = 60.0  # a fresh interpreter importing the readers; far longer than it takes


class ReaderFailed(Exception):
    """The worker could not finish a call: the message says why in plain words."""


class Limits(NamedTuple):
    memory_bytes: int | None  # address space of the worker (None: no limit)
    seconds: float  # how long one call may take


def default_limits() -> Limits:
    """Half the computer's memory (at least 2 GiB), and two minutes per call."""
    try:
        physical = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, ValueError, OSError):
        physical = 0
    return Limits(max(MIN_MEMORY, physical // 2), 120.0)


class IsolatedReader:
    """Runs module-level functions in the worker process; one call at a time (calls wait their turn)."""

    def __init__(self, limits: Limits | None = None, preload: tuple[str, ...] = ()) -> None:
        self.limits = limits or default_limits()
        self.preload = preload  # modules the worker imports as it starts, before any call arrives
        self._lock = threading.Lock()
        self._process: BaseProcess | None = None
        self._connection: Connection | None = None
        self._ready = False

    def start(self) -> None:
        """Start the worker now (if it is not running), without waiting for it: it gets ready meanwhile."""
        with self._lock:
            if self._process is None or not self._process.is_alive():
                self._spawn()

    def run(self, function: Callable[..., Result], *args: object) -> Result:
        with self._lock:
            connection = self._worker()
            try:
                connection.send((function, args))
            except (OSError, ValueError) as error:  # the worker has gone
                self._stop()
                raise ReaderFailed(_death_message(None)) from error
            if not connection.poll(self.limits.seconds):
                self._stop()
                raise ReaderFailed(f"reading it took longer than {self.limits.seconds:g} seconds and was stopped")
            try:
                kind, payload = connection.recv()
            except (EOFError, OSError, pickle.UnpicklingError):
                code = self._stop(wait=True)
                raise ReaderFailed(_death_message(code)) from None
            if kind not in ("ok", "read-error"):
                self._stop(wait=True)  # the worker ends itself after a failure: start afresh next time
        if kind == "ok":
            return payload  # type: ignore[no-any-return]
        if kind == "read-error":
            from csctools.io.result import ReadError

            raise ReadError(payload)
        if kind == "memory":
            raise ReaderFailed("it needs more memory than the reader may use")
        raise ReaderFailed(f"the reader failed on it ({payload})")

    def limit_in_worker(self) -> int | None:
        """The address-space limit the worker actually runs under (None: none), as the worker reports it."""
        return self.run(_memory_limit)

    def close(self) -> None:
        with self._lock:
            self._stop()

    def _spawn(self) -> Connection:
        self._stop()
        context = multiprocessing.get_context("spawn")
        parent, child = context.Pipe()
        process = context.Process(target=_serve, args=(child, self.limits.memory_bytes, self.preload), daemon=True)
        process.start()
        child.close()
        self._process, self._connection, self._ready = process, parent, False
        return parent

    def _worker(self) -> Connection:
        alive = self._process is not None and self._process.is_alive() and self._connection is not None
        parent = self._connection if alive and self._connection is not None else self._spawn()
        if self._ready:
            return parent
        if not parent.poll(START_SECONDS):
            self._stop()
            raise ReaderFailed("the reader process did not start")
        try:
            parent.recv()  # "ready": its limits are set, its modules imported
        except (EOFError, OSError):
            code = self._stop(wait=True)
            raise ReaderFailed(_death_message(code)) from None
        self._ready = True
        return parent

    def _stop(self, wait: bool = False) -> int | None:
        """End the worker (if any) and say how it ended; `wait`: it is ending by itself, give it a moment."""
        process, connection = self._process, self._connection
        self._process = self._connection = None
        self._ready = False
        if connection is not None:
            connection.close()
        if process is None:
            return None
        if wait:
            process.join(5)
        if process.is_alive():
            process.kill()
        process.join(10)
        code = process.exitcode
        if code is not None:
            process.close()
        return code


def _death_message(code: int | None) -> str:
    if code is not None and code < 0:
        return f"the reader crashed on it (signal {-code}); it may be damaged, or hold far more than it seems"
    return "the reader stopped on it; it may be damaged, or hold far more than it seems"


def _memory_limit() -> int | None:
    if sys.platform == "win32":
        return None
    import resource

    soft, _ = resource.getrlimit(resource.RLIMIT_AS)
    return None if soft == resource.RLIM_INFINITY else soft


def _apply_limits(memory_bytes: int | None) -> None:
    if sys.platform == "win32":  # no address-space limit there: the time limit and the separate process remain
        return
    import resource

    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # an abort leaves no core file of someone's data
    if memory_bytes is not None:
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        limit = memory_bytes if hard == resource.RLIM_INFINITY else min(memory_bytes, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def _serve(connection: Connection, memory_bytes: int | None, preload: tuple[str, ...]) -> None:
    """The worker's loop: one call in, one answer out, until the server closes the pipe."""
    os.environ["RUST_BACKTRACE"] = "0"
    _apply_limits(memory_bytes)
    for module in preload:  # other modules are imported when a call of one of their functions arrives
        importlib.import_module(module)
    try:
        connection.send("ready")
    except OSError:  # the server has gone already
        return
    while True:
        try:
            function, args = connection.recv()
        except (EOFError, OSError):
            return
        answer: tuple[str, Any]
        fatal = False
        try:
            answer = ("ok", function(*args))
            _send_frames_as_ipc()
        except MemoryError:
            answer, fatal = ("memory", None), True
        except BaseException as error:  # a native panic is a BaseException: report it, then start afresh
            problem = _read_problem(error)
            if problem is not None:
                answer = ("read-error", problem)
            else:
                answer, fatal = ("failed", type(error).__name__), True
        try:
            sent = _answer(connection, answer)
        except OSError:  # the server has gone
            return
        if fatal or not sent:
            return


def _answer(connection: Connection, answer: tuple[str, Any]) -> bool:
    """Send the answer; False when it could not go as it was (a failure was sent instead: start afresh)."""
    try:
        connection.send(answer)
        return True
    except MemoryError:
        connection.send(("memory", None))
    except OSError:
        raise
    except Exception as error:  # e.g. a result that cannot be pickled
        connection.send(("failed", type(error).__name__))
    return False


def _send_frames_as_ipc() -> None:
    """Polars frames go to the server as Arrow IPC bytes: a few times faster than polars' own pickling."""
    if "polars" in sys.modules:
        import polars as pl

        ForkingPickler.register(pl.DataFrame, _reduce_frame)


def _reduce_frame(frame: Any) -> tuple[Callable[[bytes], Any], tuple[bytes]]:
    buffer = io.BytesIO()
    frame.write_ipc(buffer, compression="uncompressed")
    return _frame_from_ipc, (buffer.getvalue(),)


def _frame_from_ipc(data: bytes) -> Any:
    import polars as pl

    return pl.read_ipc(io.BytesIO(data), memory_map=False)


def _read_problem(error: BaseException) -> object | None:
    """The problem a reader reported by raising ReadError (its module is loaded by then: a reader raised it)."""
    from csctools.io.result import ReadError

    return error.problem if isinstance(error, ReadError) else None
