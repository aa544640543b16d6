"""The virtual run: a discrete-event simulation. Time jumps to the next thing that happens (the
coach falling silent, a timer, an input), so a whole session runs in moments and always the same
way; the input is typed lines or a WAV file heard as the microphone."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from typing import Protocol

from voice_coach.core.events import Chime, Event, NoInput, Say, SpeechDone, StepStarted, TimerDone
from voice_coach.listening.listener import Listener
from voice_coach.ports import Microphone, Output
from voice_coach.run.clock import VirtualClock
from voice_coach.run.runner import Attached, Runner, parse_script_line


class VirtualInput(Protocol):
    """Where a virtual run's input comes from: typed lines or a WAV microphone."""

    def listen(self, runner: Runner, clock: VirtualClock, until: float | None,
               speaking: bool) -> Event | None:  # fmt: skip
        """Move ``clock`` on through the input up to ``until`` (None: as far as it goes) and
        return the first thing heard (as ``runner`` logs it), or None when nothing was."""
        ...


class VirtualDriver(Attached):
    """Drives a session on a virtual clock: time jumps to whatever happens next (speech ending, a
    timer, an input), so a whole session runs in moments and always the same way. When the input
    is used up and nothing is scheduled, the session gets :class:`NoInput`."""

    def __init__(self, source: VirtualInput) -> None:
        self.clock = VirtualClock()
        self.source = source
        self._queue: deque[Output] = deque()
        self._speaking: tuple[Say | Chime, float] | None = None
        self._finished_utterance: int | None = None

    def handled(self) -> None:
        """Nothing to do: each input asks the runner what is listened for as it listens."""

    def stop(self) -> None:
        self._drain_speech()

    def queue_output(self, item: Output) -> None:
        self._queue.append(item)

    def silence(self) -> None:
        said = [item for item in [self._speaking and self._speaking[0], *self._queue]
                if isinstance(item, Say)]  # fmt: skip
        self._queue = deque(item for item in self._queue if isinstance(item, StepStarted))
        if self._speaking is not None:
            self.runner.playback.cut(self.clock.now())
            self.runner.speaker.cut(self.clock.now())
        self._speaking = None
        if said:
            self._finished_utterance = said[-1].utterance

    def _start_speaking(self) -> None:
        now = self.clock.now()
        while self._speaking is None and self._queue:
            item = self._queue.popleft()
            if isinstance(item, StepStarted):
                self.runner.log_output(item, now, now)
                continue
            end = now + self.runner.speaker.render(item, now)
            self.runner.log_output(item, now, end)
            self._speaking = (item, end)
            self.runner.playback.said(now, end, item.text if isinstance(item, Say) else "")

    def _drain_speech(self) -> None:
        """Let the last words be said after the session ends."""
        while self._queue or self._speaking:
            self._start_speaking()
            if self._speaking:
                self.clock.advance_to(self._speaking[1])
                self._speaking = None

    def next_event(self) -> Event:
        while True:
            self._start_speaking()
            if self._speaking is None and self._finished_utterance is not None:
                utterance, self._finished_utterance = self._finished_utterance, None
                return SpeechDone(self.clock.now(), utterance)
            speech_end = self._speaking[1] if self._speaking is not None else None
            limits = [at for at in (speech_end, self.runner.timer_at) if at is not None]
            until = min(limits) if limits else None
            heard = self.source.listen(self.runner, self.clock, until, self._speaking is not None)
            if heard is not None:
                return heard
            if until is None:
                return NoInput(self.clock.now())
            self.clock.advance_to(until)
            if speech_end is not None and until >= speech_end and self._speaking is not None:
                item = self._speaking[0]
                if isinstance(item, Say):
                    self._finished_utterance = item.utterance
                self._speaking = None
                continue
            self.runner.timer_at = None
            return TimerDone(self.clock.now())


class ScriptInput:
    """Typed lines. A line is delivered when the coach next falls silent, after its
    ``+SECONDS`` of silence have passed."""

    def __init__(self, lines: Iterator[str]) -> None:
        self._lines = lines
        self._pending: tuple[float, str] | None = None

    def listen(self, runner: Runner, clock: VirtualClock, until: float | None,
               speaking: bool) -> Event | None:  # fmt: skip
        while not speaking:
            if self._pending is None:
                line = next(self._lines, None)
                if line is None:
                    return None
                script = parse_script_line(line)
                self._pending = (clock.now() + script.delay, script.text)
            due, text = self._pending
            if until is not None and due > until:
                return None
            clock.advance_to(due)
            self._pending = None
            if text:
                return runner.typed(clock.now(), text)
        return None


class AudioInput:
    """A WAV microphone: every frame is heard, the coach talking or not, and the clock follows
    the samples consumed. When the file ends, the microphone hears silence."""

    def __init__(self, microphone: Microphone, listener: Listener) -> None:
        self.microphone = microphone
        self.listener = listener

    def listen(self, runner: Runner, clock: VirtualClock, until: float | None,
               speaking: bool) -> Event | None:  # fmt: skip
        listener = self.listener
        listener.intents = runner.listening()
        while until is None or listener.now + listener.frame_seconds <= until + 1e-9:
            frame = self.microphone.read(listener.frame_bytes)
            if frame is None:
                return None
            utterance = listener.feed(frame.pcm)
            clock.advance_to(listener.now)
            if utterance is not None:
                heard = runner.spoken(listener.now, utterance)
                if heard is not None:
                    return heard
        return None
