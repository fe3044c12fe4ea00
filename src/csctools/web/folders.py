"""Private temporary folders for the web page's uploads, and removing those a killed server left behind.

Every folder is made by `tempfile.mkdtemp` (a random name, mode 0700). A server's own folder holds a lock file that
the server keeps locked while it runs; the operating system releases the lock when the process ends, however it
ends. At start, a folder in the temp directory is removed only if it is a real folder (not a link) named like ours,
owned by this user, holding our lock file, and that lock can be taken: its server is gone.
"""

from __future__ import annotations

import os
import shutil
import stat
import sys
import tempfile
from pathlib import Path
from typing import IO

PREFIX = "csctools-web-"
LOCK = ".csctools-server.lock"
NO_FOLLOW = getattr(os, "O_NOFOLLOW", 0)


def private_folder(parent: Path | None, prefix: str) -> Path:
    """A new folder only this user can open, with an unpredictable name."""
    return Path(tempfile.mkdtemp(prefix=prefix, dir=parent))


def write_private(path: Path, content: bytes) -> None:
    """Write a file readable by this user only (never through a link planted at its name)."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | NO_FOLLOW | getattr(os, "O_BINARY", 0), 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(content)


class OwnedFolder:
    """This server's folder, locked for as long as the server runs."""

    def __init__(self, path: Path, lock: IO[bytes]) -> None:
        self.path = path
        self._lock = lock

    @classmethod
    def create(cls, temp_dir: Path | None = None) -> OwnedFolder:
        remove_stale(temp_dir)
        path = private_folder(temp_dir, PREFIX)
        # Locked under a temporary name, then renamed: another server never sees our lock file unlocked. Windows
        # cannot rename an open file: there it is made and locked in place (its temp folder is the user's own).
        pending = path / (LOCK if sys.platform == "win32" else LOCK + ".new")
        flags = os.O_RDWR | os.O_CREAT | os.O_EXCL | NO_FOLLOW | getattr(os, "O_BINARY", 0)
        handle = os.fdopen(os.open(pending, flags, 0o600), "r+b")
        _lock(handle)
        if pending.name != LOCK:
            pending.rename(path / LOCK)
        return cls(path, handle)

    def remove(self) -> None:
        self._lock.close()
        shutil.rmtree(self.path, ignore_errors=True)


def remove_stale(temp_dir: Path | None = None) -> list[Path]:
    """Remove the folders of csctools servers that are no longer running; returns what was removed."""
    base = Path(temp_dir or tempfile.gettempdir())
    removed: list[Path] = []
    try:
        candidates = sorted(base.glob(PREFIX + "*"))
    except OSError:
        return removed
    for folder in candidates:
        if _is_ours(folder) and _abandoned(folder):
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


def _is_ours(folder: Path) -> bool:
    try:
        info = folder.lstat()
    except OSError:
        return False
    if not stat.S_ISDIR(info.st_mode):  # a link or a file with our prefix is left alone
        return False
    if sys.platform != "win32" and (info.st_uid != os.getuid() or stat.S_IMODE(info.st_mode) & 0o077):
        return False
    return True


def _abandoned(folder: Path) -> bool:
    """True when the folder's lock file exists and no process holds its lock."""
    try:
        descriptor = os.open(folder / LOCK, os.O_RDWR | NO_FOLLOW)
    except OSError:
        return False  # no lock file: not a folder we can safely call ours (or a server starting up)
    with os.fdopen(descriptor, "r+b") as handle:
        try:
            _lock(handle)
        except OSError:
            return False  # its server is running
        return True


def _lock(handle: IO[bytes]) -> None:
    """Take an exclusive lock without waiting (OSError if another process holds it)."""
    if sys.platform == "win32":
        import msvcrt

        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
    else:
        import fcntl

        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
