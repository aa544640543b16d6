"""Session clocks (``ports.Clock``): seconds since the run began, real or virtual."""

from __future__ import annotations

import time


class RealClock:
    """Wall time since construction, from ``time.monotonic`` (immune to clock changes)."""

    def __init__(self) -> None:
        self.origin = time.monotonic()
        """The ``time.monotonic()`` value at session time 0."""

    def now(self) -> float:
        return time.monotonic() - self.origin


class VirtualClock:
    """Time that moves only when told to, so a 25-minute session runs in moments."""

    def __init__(self) -> None:
        self._now = 0.0

    def now(self) -> float:
        return self._now

    def advance_to(self, t: float) -> None:
        """Move time forward to ``t`` (never backward)."""
        self._now = max(self._now, t)
