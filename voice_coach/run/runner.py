"""The runner: feeds events to the session and carries out its effects.

:class:`Runner` holds what both kinds of run share (effects, transcript, saving); the virtual
run below is a discrete-event simulation: time jumps to the next thing that happens, so a whole
session runs in moments and always the same way. The real-time run is in ``realtime.py``.
"""

from __future__ import annotations

import logging
import math
import sys
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Protocol

from voice_coach.core.commands import Intent, PhraseBook
from voice_coach.core.events import (
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
from voice_coach.core.playback import PlaybackLog
from voice_coach.core.progress import Progress
from voice_coach.core.session import Session
from voice_coach.listening.listener import Listener, Utterance
from voice_coach.ports import (
    Clock,
    Microphone,
    Output,
    PlaceStore,
    PreferenceKeeper,
    Speaker,
)
from voice_coach.run.clock import VirtualClock
from voice_coach.run.transcript import Transcript

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
        if math.isfinite(delay) and delay >= 0:
            return ScriptLine(delay, rest.strip())
    return ScriptLine(0.0, text)


@dataclass(frozen=True)
class RunParts:
    """What every run is made of, whichever way its time passes."""

    session: Session
    phrases: PhraseBook
    speaker: Speaker
    progress: PlaceStore
    preferences: PreferenceKeeper
    transcript: Transcript
    chimes: bool = True
    playback: PlaybackLog = field(default_factory=PlaybackLog)
    """What the coach said and played, when: written as it speaks, read by the listener."""


class Runner:
    """Carries out effects; subclasses decide where events come from and how time passes (the
    clock is theirs to give)."""

    def __init__(self, parts: RunParts, clock: Clock) -> None:
        self.session = parts.session
        self.chimes = parts.chimes
        self.phrases = parts.phrases
        self.speaker = parts.speaker
        self.progress = parts.progress
        self.preferences = parts.preferences
        self.transcript = parts.transcript
        self.playback = parts.playback
        self.clock = clock
        session = parts.session
        self.end_reason: str | None = None
        self.timer_at: float | None = None
        self.locale = session.plan.routine.locale
        self._unsaved: tuple[Progress | None] | None = None
        """The place that could not be saved yet (kept here, retried at every save)."""
        self._unsaved_voice: dict[str, int] = {}
        self._save_failing = False
        self.place_saved = False
        """Set on an interruption: whether a place to come back to was saved."""
        self.speaker.set_voice(session.rate, session.volume)

    def typed(self, t: float, text: str) -> Heard:
        """A typed line as an event, logged. It is held to what the session listens for now,
        as a spoken one is (a typed "next" during a safety question is not understood)."""
        command = self.phrases.parse(text)
        if command is not None and command.intent not in self.session.listening():
            command = None
        self.transcript.write(t, "heard", text=text, intent=command.label() if command else None,
                              confidence=1.0, start=round(t, 3), end=round(t, 3))  # fmt: skip
        return Heard(t, text, command)

    def spoken(self, t: float, utterance: Utterance) -> Heard | None:
        """A recognised utterance as an event, logged; None (logged too) when it was ignored."""
        details = {"text": utterance.text, "confidence": round(utterance.confidence, 3),
                   "start": round(utterance.start, 3), "end": round(utterance.end, 3)}  # fmt: skip
        if utterance.ignored is not None:
            self.transcript.write(t, "ignored", reason=utterance.ignored, **details)
            return None
        command = utterance.command
        self.transcript.write(t, "heard", intent=command.label() if command else None, **details)
        return Heard(t, utterance.text, command)

    def listening(self) -> frozenset[Intent]:
        """What the session wants to hear now (after the last event)."""
        return self.session.listening()

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
                    self._unsaved_voice.update(rate=rate, volume=volume)
                    self.flush_saves(t)
                case Save(progress=progress):
                    self._unsaved = (progress,)
                    self.flush_saves(t)
                case End(reason=reason):
                    self.end_reason = reason

    def flush_saves(self, t: float) -> bool:
        """Write what is waiting to be saved; True when everything is on disk.

        A full disk or a read-only state folder does not stop the coaching: the place is kept
        in memory, the failure is reported once, and every later save (and the end of the run)
        tries again."""
        plan = self.session.plan
        try:
            if self._unsaved is not None:
                (progress,) = self._unsaved
                if progress is None:
                    self.progress.clear(plan.routine.id, plan.variant.id, self.locale)
                else:
                    self.progress.save(progress, self.locale)
                self._unsaved = None
            if self._unsaved_voice:
                self.preferences.save(self._unsaved_voice)
                self._unsaved_voice = {}
        except OSError as exc:
            if not self._save_failing:
                self._save_failing = True
                print(f"voice-coach: cannot save your place ({exc.strerror or exc}: "
                      f"{exc.filename or self.progress.folder}); carrying on, and trying again "
                      "at every step", file=sys.stderr)  # fmt: skip
                self.transcript.write(t, "save-failed", error=str(exc))
            return False
        if self._save_failing:
            self._save_failing = False
            print("voice-coach: saving works again; your place is saved.", file=sys.stderr)
            self.transcript.write(t, "saved")
        return True

    def save_place(self, t: float) -> bool:
        """On an interruption: save where the person is if they are in the routine (after the
        safety check). True when a place to come back to is on disk (that one, or the one
        the person was being offered)."""
        session = self.session
        if session.resumable:
            self._unsaved = (session.progress(),)
        return self.flush_saves(t) and (session.resumable or session.saved is not None)

    def finish(self, t: float) -> None:
        """Save what could not be saved before (one more try), log the end, release the
        outputs."""
        if not self.flush_saves(t):
            print("voice-coach: your place could not be saved.", file=sys.stderr)
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


class VirtualInput(Protocol):
    """Where a virtual run's input comes from: typed lines or a WAV microphone."""

    def listen(self, runner: VirtualRunner, until: float | None, speaking: bool) -> Event | None:
        """Move the clock on through the input up to ``until`` (None: as far as it goes) and
        return the first thing heard, or None when nothing was."""
        ...


class VirtualRunner(Runner):
    """Runs a session on a virtual clock: time jumps to whatever happens next (speech ending, a
    timer, an input), so a whole session runs in moments and always the same way. When the input
    is used up and nothing is scheduled, the session gets :class:`NoInput`."""

    def __init__(self, parts: RunParts, source: VirtualInput) -> None:
        self.clock: VirtualClock
        super().__init__(parts, VirtualClock())
        self.source = source
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
        if self._speaking is not None:
            self.playback.cut(self.clock.now())
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
            self.playback.said(now, end, item.text if isinstance(item, Say) else "")

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
            speech_end = self._speaking[1] if self._speaking is not None else None
            limits = [at for at in (speech_end, self.timer_at) if at is not None]
            until = min(limits) if limits else None
            heard = self.source.listen(self, until, self._speaking is not None)
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
            self.timer_at = None
            return TimerDone(self.clock.now())


class ScriptInput:
    """Typed lines. A line is delivered when the coach next falls silent, after its
    ``+SECONDS`` of silence have passed."""

    def __init__(self, lines: Iterator[str]) -> None:
        self._lines = lines
        self._pending: tuple[float, str] | None = None

    def listen(self, runner: VirtualRunner, until: float | None, speaking: bool) -> Event | None:
        while not speaking:
            if self._pending is None:
                line = next(self._lines, None)
                if line is None:
                    return None
                script = parse_script_line(line)
                self._pending = (runner.clock.now() + script.delay, script.text)
            due, text = self._pending
            if until is not None and due > until:
                return None
            runner.clock.advance_to(due)
            self._pending = None
            if text:
                return runner.typed(runner.clock.now(), text)
        return None


class AudioInput:
    """A WAV microphone: every frame is heard, the coach talking or not, and the clock follows
    the samples consumed. When the file ends, the microphone hears silence."""

    def __init__(self, microphone: Microphone, listener: Listener) -> None:
        self.microphone = microphone
        self.listener = listener

    def listen(self, runner: VirtualRunner, until: float | None, speaking: bool) -> Event | None:
        listener = self.listener
        listener.intents = runner.listening()
        while until is None or listener.now + listener.frame_seconds <= until + 1e-9:
            frame = self.microphone.read(listener.frame_bytes)
            if frame is None:
                return None
            utterance = listener.feed(frame.pcm)
            runner.clock.advance_to(listener.now)
            if utterance is not None:
                heard = runner.spoken(listener.now, utterance)
                if heard is not None:
                    return heard
        return None
