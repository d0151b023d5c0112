"""File writing that never leaves a half-written file behind."""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
from pathlib import Path

from reader.core.errors import BroadsheetError


def write_atomic(path: Path, data: bytes | str) -> None:
    """Write to a temporary file in the same directory, fsync, then rename over ``path``.

    A new file gets the ordinary permissions (0o666 less the umask, as any program
    writing a file would give it: 0o644 under the usual umask 022); a replaced file
    keeps the permissions it had."""
    payload = data.encode("utf-8") if isinstance(data, str) else data
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary, fd = _create_temporary(path)
    except OSError as error:
        raise BroadsheetError(f"cannot write {path}: {why_not_writable(path, error)}") from error
    try:
        with os.fdopen(fd, "wb") as handle:
            with contextlib.suppress(FileNotFoundError):
                os.chmod(handle.fileno(), stat.S_IMODE(path.stat().st_mode))
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except OSError as error:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise BroadsheetError(f"cannot write {path}: {error.strerror or error}") from error


def why_not_writable(path: Path, error: OSError) -> str:
    """Why ``path`` (or a folder it needs) could not be made, in words: a file in the
    way is named ("File exists" and "Not a directory" say it poorly)."""
    blocking = next((part for part in path.parents if part.exists() and not part.is_dir()), None)
    if path.exists() and not path.is_dir() and isinstance(error, FileExistsError):
        blocking = path
    if blocking is not None:
        return f"{blocking} is a file, not a folder"
    return error.strerror or str(error)


def _create_temporary(path: Path) -> tuple[Path, int]:
    """A new, exclusive temporary file beside ``path``; the kernel applies the umask to
    its mode (``tempfile.mkstemp`` would force 0o600)."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
    for _ in range(100):
        temporary = path.parent / f".{path.name}.{secrets.token_hex(4)}.tmp"
        try:
            return temporary, os.open(temporary, flags, 0o666)
        except FileExistsError:
            continue
    raise FileExistsError(f"no free temporary name beside {path}")
