"""The optional natural voice: hibari, a small neural English voice that runs on the CPU.

Installed with ``pip install ".[natural]"``; its default voice ships inside the wheel, so nothing
is downloaded at run time.
"""

from __future__ import annotations

from typing import Any

from voice_coach.audio.pcm import Audio
from voice_coach.core.errors import CoachError
from voice_coach.speaking.tts.worker import WorkerVoice

INSTALL = 'pip install ".[natural]"  (or: .venv/bin/pip install hibari-tts)'
SPEED_STEP = 1.1
"""Each rate level speaks this much faster than the one below."""


class NaturalVoice(WorkerVoice):
    """hibari's built-in American English voice at 24 kHz."""

    name = "natural"
    rate = 24000

    def __init__(self) -> None:
        self._tts: Any = None
        super().__init__()

    def _load(self) -> None:
        try:
            from hibari import Hibari
        except ImportError:
            raise CoachError(
                f"the natural voice is not installed; install it with: {INSTALL}"
            ) from None
        self._tts = Hibari()

    def _synthesize(self, text: str, rate_level: int) -> Audio:
        speed = min(2.0, max(0.5, SPEED_STEP**rate_level))
        return Audio(self._tts(text, speed=speed, seed=0).astype("float32"), self.rate)
