"""The shared part of every voice: one engine, created on and used from one worker thread."""

from __future__ import annotations

import re
from concurrent.futures import Future, ThreadPoolExecutor

from voice_coach.audio.pcm import Audio

_SENTENCE_END = re.compile("(?<=[.!?\u3002\uff1f\uff01])\\s+")


def sentences(text: str) -> list[str]:
    """Split text into sentences, so the first can play while the rest are synthesised."""
    return [part for part in _SENTENCE_END.split(text.strip()) if part.strip()]


class WorkerVoice:
    """Runs ``_load`` once and every ``_synthesize`` on a single thread, in order.

    Engines such as pyttsx3/espeak-ng are not thread-safe and must stay on the thread that made
    them; queueing work to one thread also lets the next sentence be synthesised while the
    current one plays.
    """

    name = "voice"
    rate = 22050
    """Sample rate of the audio this voice produces."""

    def __init__(self) -> None:
        self._rate_level = 0
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"tts-{self.name}")
        self._executor.submit(self._load).result()

    def set_rate(self, level: int) -> None:
        """Speak faster (positive) or slower (negative) from the next sentence on."""
        self._rate_level = level

    def submit(self, text: str) -> Future[Audio]:
        """Queue ``text`` for synthesis; the future gives its audio."""
        return self._executor.submit(self._synthesize, text, self._rate_level)

    def synthesize(self, text: str) -> Audio:
        """All of ``text``, sentence by sentence, as one piece of audio."""
        parts = [self.submit(sentence) for sentence in sentences(text)]
        audio = Audio.silence(0, self.rate)
        for part in parts:
            audio = audio.then(part.result())
        return audio

    def close(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)

    def _load(self) -> None:
        raise NotImplementedError

    def _synthesize(self, text: str, rate_level: int) -> Audio:
        raise NotImplementedError
