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
from pathlib import Path
from typing import Any

from voice_coach.progress import Progress

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


def read_json(path: Path) -> Any | None:
    """The JSON in ``path``; None when missing. A damaged file is moved aside, not lost."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    try:
        return json.loads(text)
    except ValueError:
        _set_aside(path, "not valid JSON")
        return None


def _set_aside(path: Path, why: str) -> None:
    aside = path.with_name(path.name + ".damaged")
    os.replace(path, aside)
    log.warning("%s is %s; moved it to %s and started afresh", path, why, aside)


class ProgressStore:
    """One progress file per routine, variant and locale under the state folder."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

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
            _set_aside(path, f"not a progress record ({exc})")
            return None

    def save(self, progress: Progress, locale: str) -> None:
        write_json_atomic(self.path(progress.routine, progress.variant, locale), progress.to_json())

    def clear(self, routine: str, variant: str, locale: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.path(routine, variant, locale).unlink()


class PreferenceStore:
    """Voice preferences (rate and volume level) remembered between sessions."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / "preferences.json"

    def load(self) -> dict[str, int]:
        data = read_json(self.path)
        if not isinstance(data, dict):
            return {}
        return {k: v for k, v in data.items() if isinstance(v, int) and not isinstance(v, bool)}

    def save(self, values: dict[str, int]) -> None:
        write_json_atomic(self.path, {**self.load(), **values})
