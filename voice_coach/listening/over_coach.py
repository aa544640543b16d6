"""Finding the person's voice over the coach's own, while the coach talks.

The microphone is then full of the coach's voice, so the endpointer would hear one long
utterance. Instead each frame's level is compared with what the coach played: the echo comes
back at about the share of it learnt over the last seconds (the coupling), and what stands
``OVER_MARGIN`` above that is the person. This is done on two signals:

- the raw microphone, where the person must be louder than the coach's voice in the room;
- the echo-cancelled one, while the canceller works (``EchoCanceller.cancelling``): there a
  person as loud as the coach, or 6 dB quieter, stands 20 dB and more above what is left of
  the echo. A stretch found only there is marked, because where the canceller loses the echo
  for a moment what stands out is the coach's own voice (the listener checks it against what
  was played, :meth:`voice_coach.listening.echo.EchoCanceller.echo_left`).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import numpy as np

COUPLING_MEMORY = 6.0
"""Seconds of recent frames used to learn how loud the coach's voice comes back."""
OVER_MARGIN = 2.0
"""Over the coach, a signal must be this many times (6 dB) louder than its echo at most
explains for the frame to be the person's voice."""
RAW_QUIETEST = 0.01
"""Level (RMS, full scale 1) below which nothing counts as the person in the raw signal."""
QUIETEST = 0.003
"""The same in the echo-cancelled signal (-50 dBFS): what is left of the echo is far quieter,
and a person 6 dB under the coach's echo is heard at about -30 dBFS there."""
OVER_GAP = 0.25
"""Seconds without such frames that end what the person said over the coach."""
MAX_BARGE_IN_SECONDS = 1.5
"""Over the coach's voice, only a short word or two ("stop", "hold on") counts."""


@dataclass(frozen=True)
class Stretch:
    """What stood out over the coach, from ``start`` to ``end`` (session time)."""

    start: float
    end: float
    cancelled_only: bool
    """Found only in the echo-cancelled signal (never louder than the coach in the room)."""


class Coupling:
    """How loud the coach's echo is in a microphone signal, as a share of what it played: the
    loudest (90th percentile) share over the last ``COUPLING_MEMORY`` seconds."""

    def __init__(self, frame_seconds: float, floor: float) -> None:
        self.frame_seconds = frame_seconds
        self.floor = floor
        self._ratios: deque[float] = deque(maxlen=round(COUPLING_MEMORY / frame_seconds))
        self._standing_out: list[float] = []
        """Shares of the frames standing out now, learnt from only if they go on and on."""
        self._quiet = 0
        """Frames since the last one that stood out."""

    def stands_out(self, heard: float, played: float) -> bool:
        """Whether a frame heard at level ``heard`` while ``played`` was played is
        ``OVER_MARGIN`` times louder than the echo (and than the floor); learns from it."""
        coupling = float(np.percentile(self._ratios, 90)) if len(self._ratios) > 20 else 1.0
        over = heard > max(self.floor, OVER_MARGIN * coupling * played)
        if played > 0.01:
            # The person's own voice is not the coach's echo: what stands out is learnt from
            # only once it has lasted longer than anything said over the coach (the echo itself
            # grew, say, when the coach was asked to speak louder).
            (self._standing_out if over else self._ratios).append(heard / played)
            if len(self._standing_out) * self.frame_seconds > MAX_BARGE_IN_SECONDS:
                self._ratios.extend(self._standing_out)
                self._standing_out.clear()
        self._quiet = 0 if over else self._quiet + 1
        if self._quiet * self.frame_seconds > OVER_GAP:  # what stood out has ended
            self._standing_out.clear()
        return over

    def forget(self) -> None:
        self._ratios.clear()
        self._standing_out.clear()


class OverCoach:
    """Follows the person talking over the coach, frame by frame."""

    def __init__(self, frame_seconds: float) -> None:
        self._raw = Coupling(frame_seconds, RAW_QUIETEST)
        """How loud the coach's voice comes back into the microphone."""
        self._cancelled = Coupling(frame_seconds, QUIETEST)
        """How loud what the echo canceller leaves of it is (while it cancels)."""
        self._span: tuple[float, float] | None = None
        """Start and last loud moment of what stands out, while it lasts."""
        self._cancelled_only = False

    def frame(self, raw: float, cancelled: float | None, played: float, start: float,
              end: float) -> Stretch | None:  # fmt: skip
        """One frame, from ``start`` to ``end``: its raw level and, while the canceller works,
        its echo-cancelled one, with ``played`` the loudest level the coach played around it.
        A stretch once it has ended."""
        loud = self._raw.stands_out(raw, played)
        clear = False
        if cancelled is None:
            self._cancelled.forget()  # what is left after it loses the echo says nothing
        else:
            clear = self._cancelled.stands_out(cancelled, played)
        if loud or clear:
            if self._span is None:
                self._span, self._cancelled_only = (start, end), True
            self._span = (self._span[0], end)
            self._cancelled_only &= not loud  # louder than the coach: the person, as before
            return None
        if self._span is not None and end - self._span[1] > OVER_GAP:
            return self.flush()
        return None

    def flush(self) -> Stretch | None:
        """End what is being heard now (the coach started or stopped talking)."""
        if self._span is None:
            return None
        (start, end), self._span = self._span, None
        return Stretch(start, end, self._cancelled_only)
