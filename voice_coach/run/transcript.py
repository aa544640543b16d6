"""The transcript: JSON Lines, one object per event, each with ``t`` and ``event``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import IO, Any


class Transcript:
    """Appends events to a file (or nowhere), flushed line by line so a crash keeps them."""

    def __init__(self, path: Path | None) -> None:
        self._file: IO[str] | None = path.open("w", encoding="utf-8") if path else None

    def write(self, t: float, event: str, **fields: Any) -> None:
        if self._file is None:
            return
        record = {"t": round(t, 3), "event": event, **fields}
        self._file.write(json.dumps(record, ensure_ascii=False) + "\n")
        self._file.flush()

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
