"""The timed part of a step: a length that can grow, cues at offsets, and a freeze for pauses.

Pure timekeeping: every method takes the current session time ``now``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from voice_coach.core.routine import Cue


@dataclass
class Hold:
    """A hold that is running (``anchor`` set) or frozen (``anchor`` None)."""

    length: float
    cues: list[Cue] = field(default_factory=list)
    """Cues not yet said, earliest first."""
    elapsed_before: float = 0.0
    anchor: float | None = None

    def elapsed(self, now: float) -> float:
        running = 0.0 if self.anchor is None else max(0.0, now - self.anchor)
        return min(self.length, self.elapsed_before + running)

    def remaining(self, now: float) -> float:
        return max(0.0, self.length - self.elapsed(now))

    @property
    def running(self) -> bool:
        return self.anchor is not None

    def start(self, now: float) -> None:
        if self.anchor is None:
            self.anchor = now

    def freeze(self, now: float) -> None:
        self.elapsed_before = self.elapsed(now)
        self.anchor = None

    def extend(self, seconds: float) -> None:
        self.length += seconds

    def due_cues(self, now: float) -> list[Cue]:
        """Take the cues whose time has come."""
        elapsed = self.elapsed(now)
        due = [cue for cue in self.cues if cue.at <= elapsed + 1e-9]
        self.cues = self.cues[len(due) :]
        return due

    def finished(self, now: float) -> bool:
        return self.elapsed(now) >= self.length - 1e-9

    def wake_at(self, now: float) -> float | None:
        """Session time of the next cue or the end; None when frozen."""
        if self.anchor is None:
            return None
        elapsed = self.elapsed(now)
        upcoming = min([cue.at for cue in self.cues] + [self.length])
        return now + max(0.0, upcoming - elapsed)
