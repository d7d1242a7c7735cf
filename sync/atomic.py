"""Writing a file all or nothing: a temporary file beside it, flushed to disk, renamed over it.

A crash leaves the old file or the new one, never half of one; syncing the
folder afterwards makes the rename itself survive a power cut (POSIX; a no-op
where folders cannot be opened).
"""

from __future__ import annotations

import os
from pathlib import Path


def write_atomically(path: Path, data: bytes, temp: Path | None = None) -> None:
    """Replace `path` with `data`; `temp` (default: a hidden name beside it) is used on the way."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = temp or path.with_name(f".~{path.name}.{os.getpid()}.tmp")
    try:
        with open(temp, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(temp, path)
    finally:
        temp.unlink(missing_ok=True)
    sync_folder(path.parent)


def sync_folder(folder: Path) -> None:
    """Make a rename in `folder` durable."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
