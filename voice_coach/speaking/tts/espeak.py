"""The default voice: pyttsx3 driving espeak-ng, synthesising to audio we play ourselves.

pyttsx3's own playback (``say`` + ``runAndWait``) cannot be interrupted and is known to hang on a
Raspberry Pi, so each sentence is saved to a temporary WAV file on the engine's thread and read
back as samples.
"""

from __future__ import annotations

import contextlib
import io
import sys
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from voice_coach.audio.pcm import Audio, read_wav
from voice_coach.core.errors import CoachError
from voice_coach.speaking.tts.worker import WorkerVoice

BASE_WORDS_PER_MINUTE = 165
"""espeak-ng speaking rate at rate level 0: a little slower than its default, for instructions."""
RATE_STEP = 1.12
"""Each rate level is this much faster than the one below."""
FINISH_TIMEOUT = 30.0
"""Seconds to wait for espeak-ng to finish a sentence (it takes milliseconds)."""


class _SavedNoticeFilter(io.TextIOBase):
    """Forwards everything to ``stream`` except pyttsx3's "Audio saved to …" line.

    pyttsx3's espeak driver prints that notice on every save, from whatever thread espeak-ng
    calls back on; filtering by content keeps whatever else is printed meanwhile.
    """

    def __init__(self, stream: Any) -> None:
        self._stream = stream
        self._dropping: set[int] = set()

    def write(self, text: str) -> int:
        thread = threading.get_ident()
        if text.startswith(_NOTICE):
            self._dropping.add(thread)
            return len(text)
        if thread in self._dropping and text == "\n":
            self._dropping.discard(thread)
            return len(text)
        return self._stream.write(text)

    def flush(self) -> None:
        self._stream.flush()


_NOTICE = "Audio saved to "


@contextlib.contextmanager
def _quiet_stdout() -> Iterator[None]:
    original = sys.stdout
    sys.stdout = _SavedNoticeFilter(original)
    try:
        yield
    finally:
        if isinstance(sys.stdout, _SavedNoticeFilter):
            sys.stdout = original


class EspeakVoice(WorkerVoice):
    """pyttsx3 with the espeak-ng driver; ``voice_id`` is an espeak-ng voice such as
    ``gmw/en-us`` or ``ko``."""

    name = "espeak"

    def __init__(self, voice_id: str) -> None:
        self.voice_id = voice_id
        self._engine: Any = None
        self._finished = threading.Event()
        """Set by pyttsx3 once espeak-ng has written the WAV file."""
        self._words_per_minute = 0
        self._folder = tempfile.TemporaryDirectory(prefix="voice-coach-tts-")
        super().__init__()

    def _load(self) -> None:
        try:
            import pyttsx3

            self._engine = pyttsx3.init("espeak")
        except (ImportError, OSError, RuntimeError) as exc:
            raise CoachError(
                f"the speaking voice could not start ({exc}). Install espeak-ng: "
                "sudo apt install espeak-ng libespeak-ng1 (scripts/setup.sh does this)"
            ) from None
        known = {voice.id for voice in self._engine.getProperty("voices")}
        if self.voice_id not in known:
            close = sorted(v for v in known if v.split("/")[-1].startswith(self.voice_id[:2]))
            raise CoachError(
                f"espeak-ng has no voice '{self.voice_id}'; voices for that language: "
                f"{', '.join(close) or 'none'} (install espeak-ng-data for more)"
            )
        self._engine.setProperty("voice", self.voice_id)
        self._engine.connect("finished-utterance", lambda **_: self._finished.set())

    def _synthesize(self, text: str, rate_level: int) -> Audio:
        path = Path(self._folder.name) / "sentence.wav"
        words_per_minute = round(BASE_WORDS_PER_MINUTE * RATE_STEP**rate_level)
        if words_per_minute != self._words_per_minute:
            self._set_rate(words_per_minute)
        self._finished.clear()
        with _quiet_stdout():
            self._engine.save_to_file(text, str(path))
            self._engine.runAndWait()
            # runAndWait was seen to return before espeak-ng's last callback had written the
            # file (the first sentence of a process, on a slow aarch64 machine).
            if not self._finished.wait(FINISH_TIMEOUT):
                raise CoachError(f"espeak-ng did not finish saying {text[:40]!r} "
                                 f"within {FINISH_TIMEOUT:.0f} s")  # fmt: skip
        audio = read_wav(path)
        path.unlink()
        return audio

    def _set_rate(self, words_per_minute: int) -> None:
        """Set espeak-ng's rate so that it applies to the very next sentence.

        espeak-ng runs its commands on a queue of its own; a rate set through pyttsx3's property
        queue was seen to apply one sentence late. Draining espeak-ng's queue around the change
        (through pyttsx3's binding of the library) makes it exact.
        """
        from pyttsx3.drivers import _espeak

        _espeak.Synchronize()
        _espeak.SetParameter(_espeak.RATE, words_per_minute, 0)
        _espeak.Synchronize()
        self._words_per_minute = words_per_minute

    def close(self) -> None:
        super().close()
        self._folder.cleanup()
