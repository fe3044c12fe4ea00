"""One call in a second Python process, for work that holds the GIL (walking a large XML file, drawing charts).

`Worker(function, *args)` starts `python -c ...serve()` at once, sends it the pickled call on its standard input
and returns; `.result()` waits for the pickled answer on its standard output. The child imports nothing before it
has read the whole call, so sending never waits on its imports. Unlike `multiprocessing`'s spawn, nothing of the
caller's main script is run again in the child (a script without a `__main__` guard works). If the child cannot
start, dies or raises, `.result()` makes the same call here instead: the answer (or the error) is the one this
process would give.

`Spare(warm_up)` starts a worker before its call is known: the child runs `warm_up` (e.g. the imports and first
drawing of charts) while this process does other work, then waits for the call `Spare.call` sends.
"""

from __future__ import annotations

import contextlib
import importlib
import pickle
import subprocess
import sys
import threading
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")
SERVE = "from csctools.indicators.worker import serve"
CHILD = f"{SERVE}; serve()"


def _start(child: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-c", child], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
    )


class Worker(Generic[T]):
    def __init__(
        self, function: Callable[..., T], *args: object, process: subprocess.Popen[bytes] | None = None
    ) -> None:
        """`process`: a child already started (a Spare's) to send the call to, instead of starting one; the call
        is then sent from a thread, since that child reads it only once warmed up."""
        self.function, self.args = function, args
        self.process = process
        try:
            call = pickle.dumps((function, args), protocol=pickle.HIGHEST_PROTOCOL)
        except (pickle.PicklingError, AttributeError, TypeError):
            self.stop()
            return
        if self.process is None:
            try:
                self.process = _start(CHILD)
            except OSError:
                return
            self._send(self.process, call)
        else:
            threading.Thread(target=self._send, args=(self.process, call), daemon=True).start()

    @staticmethod
    def _send(process: subprocess.Popen[bytes], call: bytes) -> None:
        """The call on the child's input; if it is gone (BrokenPipeError), `result` finds no answer and makes the
        call here."""
        assert process.stdin is not None
        try:
            process.stdin.write(call)
            process.stdin.close()
        except OSError:
            pass

    def stop(self) -> None:
        """The child ended if it is still running (its answer no longer wanted)."""
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process = None

    def result(self) -> T:
        if self.process is not None:
            assert self.process.stdout is not None
            answer = self.process.stdout.read()
            if self.process.wait() == 0:
                try:
                    done, value = pickle.loads(answer)
                    if done:
                        return value  # type: ignore[no-any-return]
                except (pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError, ImportError):
                    pass
            self.process = None
        return self.function(*self.args)


class Spare:
    """A worker process started now, its call sent later: the child runs `warm_up` ("module:function", its
    failure ignored) at once, then waits for the call. Unused, it ends when this process does (its input closes)."""

    def __init__(self, warm_up: str) -> None:
        try:
            self.process: subprocess.Popen[bytes] | None = _start(f"{SERVE}; serve({warm_up!r})")
        except OSError:
            self.process = None

    def call(self, function: Callable[..., T], *args: object) -> Worker[T]:
        """The call, made in the spare process (or here, as `Worker` does, if it cannot be); once only."""
        process, self.process = self.process, None
        if process is None:
            return Worker(function, *args)
        return Worker(function, *args, process=process)

    def close(self) -> None:
        """The spare ended if its call was never sent."""
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process = None


def serve(warm_up: str | None = None) -> None:
    """The child's side: (warm up, then) read the whole call, run it, write (True, value); (False, None) if it
    raised."""
    if warm_up is not None:
        module, name = warm_up.split(":")
        with contextlib.suppress(Exception):  # only time is at stake: the call imports what it needs itself
            getattr(importlib.import_module(module), name)()
    call = sys.stdin.buffer.read()
    output = sys.stdout.buffer
    sys.stdout = sys.stderr  # nothing the call prints can spoil the answer
    try:
        function, args = pickle.loads(call)
        answer: tuple[bool, object] = (True, function(*args))
    except Exception:  # the parent makes the call again and meets the error itself
        answer = (False, None)
    output.write(pickle.dumps(answer, protocol=pickle.HIGHEST_PROTOCOL))
    output.flush()
