"""Cutting microphone frames into stretches of speech: pocketsphinx's endpointer (a WebRTC-style
voice activity detector) behind the Segmenter port.

It is already installed, runs in C on 30 ms frames, and decides the end of speech a window
after it. Its Python binding never frees an endpointer (about 16 KB each), so one is kept: to
start afresh its window is cleared with the room's own quiet, and a new one is made only in the
middle of speech. A stricter detector of the same kind judges each frame alone (``voiced``): it
tells the listener at once that someone is still talking after the endpointer's end of speech.
"""

from __future__ import annotations

from typing import Any

from voice_coach.audio.pcm import SAMPLE_RATE
from voice_coach.core.errors import CoachError

ENDPOINT_WINDOW = 0.24
"""Seconds of audio the endpointer judges at a time; the end of speech is known this much later
(docs/decisions.md)."""


class EndpointerSegmenter:
    """pocketsphinx's endpointer; its times count in frames processed since it was made."""

    def __init__(self) -> None:
        try:
            import pocketsphinx  # noqa: F401
        except ImportError:
            raise CoachError("pocketsphinx is not installed: run scripts/setup.sh") from None
        from pocketsphinx import Vad

        self._endpointer: Any = self._new()
        self._vad: Any = Vad(Vad.MEDIUM_STRICT, SAMPLE_RATE)
        self._voiced = False
        self.processed = 0
        self.frame_bytes: int = self._endpointer.frame_bytes
        self.frame_seconds: float = self._endpointer.frame_length
        self.window = ENDPOINT_WINDOW

    @staticmethod
    def _new() -> Any:
        from pocketsphinx import Endpointer, Vad

        return Endpointer(window=ENDPOINT_WINDOW, vad_mode=Vad.LOOSE, sample_rate=SAMPLE_RATE)

    @property
    def in_speech(self) -> bool:
        return bool(self._endpointer.in_speech)

    @property
    def speech_start(self) -> float:
        return float(self._endpointer.speech_start)

    @property
    def speech_end(self) -> float:
        return float(self._endpointer.speech_end)

    @property
    def voiced(self) -> bool:
        return self._voiced

    def process(self, frame: bytes) -> None:
        self._endpointer.process(frame)
        self._voiced = bool(self._vad.is_speech(frame))
        self.processed += 1

    def restart(self, quiet: bytes) -> None:
        """Drop what is in progress and judge afresh; ``quiet`` is a frame of the room's own
        quiet (after digital silence the detector takes the room's noise for speech that never
        ends)."""
        if self._endpointer.in_speech:
            self._endpointer = self._new()
            self.processed = 0
        elif self.processed:
            for _ in range(round(ENDPOINT_WINDOW / self.frame_seconds) + 1):
                self.process(quiet)
