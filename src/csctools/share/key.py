"""The hub's secret key: 32 random bytes written as hex to a file only its owner can read."""

from __future__ import annotations

import hashlib
import os
import secrets
import stat
from pathlib import Path

KEY_BYTES = 32


class KeyError_(Exception):
    """A key file that cannot be used, with why in one line."""


def write_key(path: Path) -> Path:
    """A new random key in a new file of mode 0600 (an existing file is never overwritten)."""
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise KeyError_(f"{path} already exists: a key is never overwritten (move it away first)") from None
    except OSError as error:
        raise KeyError_(f"{path}: cannot create the key file ({error.strerror})") from None
    with os.fdopen(descriptor, "w", encoding="ascii") as handle:
        handle.write(secrets.token_hex(KEY_BYTES) + "\n")
    os.chmod(path, 0o600)  # the umask cannot widen it, but a file system may ignore the mode at creation
    return path


def read_key(path: Path) -> bytes:
    try:
        text = path.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError) as error:
        raise KeyError_(f"{path}: cannot read the key file ({error})") from None
    try:
        key = bytes.fromhex(text)
    except ValueError:
        key = b""
    if len(key) != KEY_BYTES:
        raise KeyError_(f"{path}: not a csctools key ({KEY_BYTES * 2} hexadecimal characters expected)")
    return key


def loose_permissions(path: Path) -> bool:
    """True when others than the owner may read the key file (POSIX)."""
    return os.name == "posix" and bool(path.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO))


def key_id(key: bytes) -> str:
    """A short fingerprint to tell keys apart in manifests; the key cannot be worked back from it."""
    return hashlib.sha256(b"csctools key id\0" + key).hexdigest()[:12]
