"""Saved progress and preferences on disk, written so that a crash or a kill never corrupts them.

Each write goes to a temporary file in the same folder, is flushed and fsynced, then atomically
renamed over the old file (and the folder fsynced), so a reader sees the old or the new content,
never a mix. Files are created readable by their owner only.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import tempfile
import time
from pathlib import Path
from typing import Any

from voice_coach.core import datafile
from voice_coach.core.errors import DataFileError
from voice_coach.core.progress import Progress
from voice_coach.core.session import VOICE_LEVELS

log = logging.getLogger(__name__)


def write_json_atomic(path: Path, data: Any) -> None:
    """Replace ``path`` with ``data`` as JSON, atomically and durably."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle, indent=2, sort_keys=True)
            handle.write("\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


MAX_STATE = 64 << 10
"""A progress or preferences file is a few hundred bytes."""
STALE_TEMPORARY = 60.0
"""Seconds after which a temporary file left by a killed save is removed."""


def read_json(path: Path) -> Any | None:
    """The JSON in ``path``; None when missing. A damaged file (not JSON, not UTF-8, too large,
    too deep, a folder...) is moved aside, never deleted, and the coach starts afresh."""
    if not os.path.lexists(path):
        return None
    try:
        data = datafile.read_json(path, MAX_STATE, "a saved state file")
    except DataFileError as exc:
        if exc.problem != "no such file":
            set_aside(path, exc.problem)
        return None
    if data is None:  # never written by the coach
        set_aside(path, "empty (null)")
    return data


def set_aside(path: Path, why: str) -> Path | None:
    """Move a damaged file to the first free ``NAME.damaged``, ``NAME.damaged.2``, ... beside
    it (an earlier damaged copy is never overwritten); None when it cannot be moved."""
    for number in range(1, 1000):
        aside = path.with_name(path.name + (".damaged" if number == 1 else f".damaged.{number}"))
        if os.path.lexists(aside):
            continue
        try:
            os.rename(path, aside)
        except OSError as exc:
            log.warning("%s is %s and cannot be moved aside (%s); it is ignored", path, why, exc)
            return None
        log.warning("%s is %s; moved it to %s and started afresh", path, why, aside)
        return aside
    log.warning("%s is %s; too many damaged copies beside it to keep another", path, why)
    return None


def remove_stale_temporaries(folder: Path, now: float | None = None) -> None:
    """Remove the ``.NAME.*.tmp`` files that killed saves left behind (a save in progress is
    younger than STALE_TEMPORARY seconds and is left alone)."""
    now = time.time() if now is None else now
    with contextlib.suppress(OSError):
        for leftover in folder.glob(".*.tmp"):
            with contextlib.suppress(OSError):
                if now - leftover.lstat().st_mtime > STALE_TEMPORARY:
                    leftover.unlink()


class ProgressStore:
    """One progress file per routine, variant and locale under the state folder."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        remove_stale_temporaries(folder / "progress")

    def path(self, routine: str, variant: str, locale: str) -> Path:
        return self.folder / "progress" / f"{routine}.{variant}.{locale}.json"

    def load(self, routine: str, variant: str, locale: str) -> Progress | None:
        path = self.path(routine, variant, locale)
        data = read_json(path)
        if data is None:
            return None
        try:
            return Progress.from_json(data)
        except ValueError as exc:
            set_aside(path, f"not a progress record ({exc})")
            return None

    def save(self, progress: Progress, locale: str) -> None:
        write_json_atomic(self.path(progress.routine, progress.variant, locale), progress.to_json())

    def clear(self, routine: str, variant: str, locale: str) -> None:
        path = self.path(routine, variant, locale)
        if os.path.lexists(path):
            path.unlink()


class PreferenceStore:
    """Voice preferences (rate and volume level) remembered between sessions."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / "preferences.json"
        remove_stale_temporaries(folder)

    def load(self) -> dict[str, int]:
        """The remembered levels; a value out of range (edited by hand) is ignored."""
        data = read_json(self.path)
        if not isinstance(data, dict):
            return {}
        return {
            key: value
            for key, value in data.items()
            if key in ("rate", "volume") and type(value) is int and value in VOICE_LEVELS
        }

    def save(self, values: dict[str, int]) -> None:
        write_json_atomic(self.path, {**self.load(), **values})
