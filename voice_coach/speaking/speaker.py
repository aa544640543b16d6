"""The coach's voice made audible: a voice synthesises, a sink plays or records.

Long texts go sentence by sentence: every sentence is queued for synthesis at once, and the first
one plays as soon as it is ready while the rest are still being made. A stop request is honoured
between blocks of a few milliseconds (see :mod:`voice_coach.audio.output`).
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from typing import Protocol

from voice_coach.audio.output import AudioSink
from voice_coach.audio.pcm import Audio
from voice_coach.core.errors import CoachError
from voice_coach.core.events import Chime, Say
from voice_coach.speaking.chime import chime
from voice_coach.speaking.text import OutputClosed, print_line
from voice_coach.speaking.tts.worker import sentences

VOLUME_STEP_DB = 2.0
"""Each volume level is this much louder than the one below."""
VOLUME_DEFAULT_DB = -4.0
"""Gain at volume level 0, leaving headroom for "louder"."""


def volume_gain(level: int) -> float:
    """The gain factor for a volume level."""
    return 10 ** ((VOLUME_DEFAULT_DB + VOLUME_STEP_DB * level) / 20)


class Voice(Protocol):
    """Text in, audio out (see :class:`voice_coach.speaking.tts.worker.WorkerVoice`)."""

    name: str
    rate: int

    def set_rate(self, level: int) -> None: ...

    def submit(self, text: str) -> _Future: ...

    def synthesize(self, text: str) -> Audio: ...

    def close(self) -> None: ...


class _Future(Protocol):
    def result(self) -> Audio: ...

    def cancel(self) -> bool: ...


class AudioSpeaker:
    """A :class:`voice_coach.ports.Speaker` that speaks with a voice into a sink."""

    def __init__(self, voice: Voice, sink: AudioSink, captions: bool = False,
                 reopen: Callable[[], AudioSink] | None = None) -> None:  # fmt: skip
        self.voice = voice
        self.sink = sink
        self._reopen = reopen
        self._captions = captions
        self._gain = volume_gain(0)
        self._chimes = {name: chime(name, sink.rate) for name in ("hold-start", "hold-end")}

    def set_voice(self, rate: int, volume: int) -> None:
        self.voice.set_rate(rate)
        self._gain = volume_gain(volume)

    def render(self, item: Say | Chime, start: float) -> float:
        audio = self._whole(item)
        self.sink.place(audio, start)
        return audio.seconds

    def cut(self, at: float) -> None:
        self.sink.cut(at)

    def speak(self, item: Say | Chime, cancel: threading.Event, start: float) -> None:
        if isinstance(item, Chime):
            self.sink.play(self._chimes[item.name], cancel, start)
            return
        self._caption(item.text)
        pending = [self.voice.submit(sentence) for sentence in sentences(item.text)]
        at = start
        for index, future in enumerate(pending):
            if cancel.is_set():
                for rest in pending[index:]:
                    rest.cancel()
                return
            audio = future.result().scaled(self._gain)
            self.sink.play(audio, cancel, at)
            at += audio.seconds

    def _whole(self, item: Say | Chime) -> Audio:
        if isinstance(item, Chime):
            return self._chimes[item.name]
        self._caption(item.text)
        return self.voice.synthesize(item.text).scaled(self._gain)

    def _caption(self, text: str) -> None:
        """Print what is said, for anyone watching the terminal (``sys.stdout`` is looked up
        late: the terminal prompt patches it)."""
        if self._captions:
            with contextlib.suppress(OutputClosed):  # nobody reads them: the voice goes on
                print_line(text)

    def reconnect(self) -> None:
        """Open the output device again after it was lost (raises CoachError while it is not
        back)."""
        if self._reopen is None:
            raise CoachError("this output cannot be reopened")
        sink = self._reopen()
        with contextlib.suppress(Exception):
            self.sink.close()
        self.sink = sink

    def close(self) -> None:
        self.voice.close()
        with contextlib.suppress(Exception):  # a lost device may fail to close
            self.sink.close()
