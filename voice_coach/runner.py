"""The runner: feeds events to the session and carries out its effects.

:class:`Runner` holds what both kinds of run share (effects, transcript, saving); the virtual
run below is a discrete-event simulation: time jumps to the next thing that happens, so a whole
session runs in moments and always the same way. The real-time run is in ``realtime.py``.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass

from voice_coach.clock import VirtualClock
from voice_coach.commands import PhraseBook
from voice_coach.events import (
    CancelTimer,
    Chime,
    Effect,
    End,
    Event,
    Heard,
    NoInput,
    Save,
    Say,
    SetTimer,
    SetVoice,
    Silence,
    SpeechDone,
    Start,
    StepStarted,
    TimerDone,
)
from voice_coach.ports import Output, Speaker
from voice_coach.progress import Progress
from voice_coach.session import Session
from voice_coach.store import PreferenceStore, ProgressStore
from voice_coach.transcript import Transcript

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ScriptLine:
    """A line of scripted input: wait ``delay`` seconds of silence, then say ``text`` (if any)."""

    delay: float
    text: str


def parse_script_line(line: str) -> ScriptLine:
    """``"+12.5 next"`` → 12.5 s then "next"; ``"+30"`` → just 30 s; ``"next"`` → at once."""
    text = line.strip()
    if text.startswith("+"):
        head, _, rest = text[1:].partition(" ")
        try:
            delay = float(head)
        except ValueError:
            return ScriptLine(0.0, text)
        if delay >= 0:
            return ScriptLine(delay, rest.strip())
    return ScriptLine(0.0, text)


class Runner:
    """Carries out effects; subclasses decide where events come from and how time passes."""

    def __init__(
        self,
        session: Session,
        phrases: PhraseBook,
        speaker: Speaker,
        progress: ProgressStore,
        preferences: PreferenceStore,
        transcript: Transcript,
        chimes: bool = True,
    ) -> None:
        self.session = session
        self.chimes = chimes
        self.phrases = phrases
        self.speaker = speaker
        self.progress = progress
        self.preferences = preferences
        self.transcript = transcript
        self.end_reason: str | None = None
        self.timer_at: float | None = None
        self.locale = session.plan.routine.locale
        speaker.set_voice(session.rate, session.volume)

    def heard(self, t: float, text: str) -> Heard:
        """Turn an utterance into an event, logging it."""
        command = self.phrases.parse(text)
        self.transcript.write(t, "heard", text=text, intent=command.label() if command else None)
        return Heard(t, text, command)

    def execute(self, effects: list[Effect], t: float) -> None:
        for effect in effects:
            match effect:
                case Chime() if not self.chimes:
                    pass
                case Say() | Chime() | StepStarted():
                    self.queue_output(effect)
                case Silence():
                    self.silence()
                case SetTimer(at=at):
                    self.timer_at = at
                case CancelTimer():
                    self.timer_at = None
                case SetVoice(rate=rate, volume=volume):
                    self.speaker.set_voice(rate, volume)
                    self.preferences.save({"rate": rate, "volume": volume})
                case Save(progress=progress):
                    self.save(progress)
                case End(reason=reason):
                    self.end_reason = reason

    def save(self, progress: Progress | None) -> None:
        plan = self.session.plan
        if progress is None:
            self.progress.clear(plan.routine.id, plan.variant.id, self.locale)
        else:
            self.progress.save(progress, self.locale)

    def finish(self, t: float) -> None:
        """Log the end and release the outputs."""
        self.transcript.write(t, "end", reason=self.end_reason)
        self.speaker.close()
        self.transcript.close()

    def log_output(self, item: Output, start: float, end: float) -> None:
        """Log what was said (or chimed) from ``start`` to ``end``, or a step as it begins."""
        match item:
            case Say(text=text):
                self.transcript.write(start, "say", text=text, end=round(end, 3))
            case Chime(name=name):
                self.transcript.write(start, "chime", chime=name, end=round(end, 3))
            case StepStarted(step=step, side=side):
                self.transcript.write(start, "step", step=step, foot=side)

    # Hooks for the kinds of run.
    def queue_output(self, item: Output) -> None:
        """Queue an utterance or a chime, or a step marker that begins when what is queued
        before it has been said."""
        raise NotImplementedError

    def silence(self) -> None:
        raise NotImplementedError


class VirtualRunner(Runner):
    """Runs a session on a virtual clock with scripted input lines.

    A line is delivered when the coach next falls silent, after its ``+SECONDS`` of silence have
    passed; when the lines run out and nothing is scheduled, the session gets :class:`NoInput`.
    """

    def __init__(self, *args: object, lines: Iterator[str], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.clock = VirtualClock()
        self._lines = lines
        self._pending: tuple[float, str] | None = None
        self._queue: deque[Output] = deque()
        self._speaking: tuple[Say | Chime, float] | None = None
        self._finished_utterance: int | None = None

    def run(self) -> str:
        """Run to the end; return the end reason."""
        self.execute(self.session.handle(Start(0.0)), 0.0)
        while self.end_reason is None:
            event = self._next_event()
            self.execute(self.session.handle(event), self.clock.now())
        self._drain_speech()
        self.finish(self.clock.now())
        return self.end_reason

    def queue_output(self, item: Output) -> None:
        self._queue.append(item)

    def silence(self) -> None:
        said = [item for item in [self._speaking and self._speaking[0], *self._queue]
                if isinstance(item, Say)]  # fmt: skip
        self._queue = deque(item for item in self._queue if isinstance(item, StepStarted))
        self._speaking = None
        if said:
            self._finished_utterance = said[-1].utterance

    def _start_speaking(self) -> None:
        now = self.clock.now()
        while self._speaking is None and self._queue:
            item = self._queue.popleft()
            if isinstance(item, StepStarted):
                self.log_output(item, now, now)
                continue
            end = now + self.speaker.render(item, now)
            self.log_output(item, now, end)
            self._speaking = (item, end)

    def _drain_speech(self) -> None:
        """Let the last words be said after the session ends."""
        while self._queue or self._speaking:
            self._start_speaking()
            if self._speaking:
                self.clock.advance_to(self._speaking[1])
                self._speaking = None

    def _next_event(self) -> Event:
        while True:
            self._start_speaking()
            if self._speaking is None and self._finished_utterance is not None:
                utterance, self._finished_utterance = self._finished_utterance, None
                return SpeechDone(self.clock.now(), utterance)
            if self._speaking is None and self._pending is None:
                line = next(self._lines, None)
                if line is not None:
                    script = parse_script_line(line)
                    self._pending = (self.clock.now() + script.delay, script.text)
            candidates: list[tuple[float, int]] = []
            if self._speaking is not None:
                candidates.append((self._speaking[1], 0))
            if self.timer_at is not None:
                candidates.append((self.timer_at, 1))
            if self._pending is not None and self._speaking is None:
                candidates.append((self._pending[0], 2))
            if not candidates:
                return NoInput(self.clock.now())
            at, kind = min(candidates)
            self.clock.advance_to(at)
            now = self.clock.now()
            if kind == 0:
                assert self._speaking is not None
                item = self._speaking[0]
                if isinstance(item, Say):
                    self._finished_utterance = item.utterance
                self._speaking = None
            elif kind == 1:
                self.timer_at = None
                return TimerDone(now)
            else:
                assert self._pending is not None
                text = self._pending[1]
                self._pending = None
                if text:
                    return self.heard(now, text)
