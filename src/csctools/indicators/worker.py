"""One call in a second Python process, for work that holds the GIL (walking a large XML file, drawing charts).

`Worker(function, *args)` starts `python -c ...serve()` at once, sends it the pickled call on its standard input
and returns; `.result()` waits for the pickled answer on its standard output. The child imports nothing before it
has read the whole call, so sending never waits on its imports. Unlike `multiprocessing`'s spawn, nothing of the
caller's main script is run again in the child (a script without a `__main__` guard works). If the child cannot
start, dies or raises, `.result()` makes the same call here instead: the answer (or the error) is the one this
process would give.
"""

from __future__ import annotations

import pickle
import subprocess
import sys
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")
CHILD = "from csctools.indicators.worker import serve; serve()"


class Worker(Generic[T]):
    def __init__(self, function: Callable[..., T], *args: object) -> None:
        self.function, self.args = function, args
        self.process: subprocess.Popen[bytes] | None = None
        try:
            call = pickle.dumps((function, args), protocol=pickle.HIGHEST_PROTOCOL)
            self.process = subprocess.Popen(
                [sys.executable, "-c", CHILD], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
            )
            assert self.process.stdin is not None
            self.process.stdin.write(call)
            self.process.stdin.close()
        except (OSError, pickle.PicklingError, AttributeError, TypeError):
            self._stop()

    def _stop(self) -> None:
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


def serve() -> None:
    """The child's side: read the whole call, run it, write (True, value); (False, None) if it raised."""
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
