"""The runner: feeds a driver's events to the session and carries out its effects.

There is one :class:`Runner` (effects, transcript, saving, the loop); a :class:`Driver` decides
where events come from and how time passes: ``virtual.py`` (a discrete-event simulation on a
virtual clock) or ``realtime.py`` (threads for speech and input, the wall clock).
"""

from __future__ import annotations

import logging
import math
import sys
import threading
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
    Save,
    Say,
    SetTimer,
    SetVoice,
    Silence,
    Start,
    StepStarted,
)
from voice_coach.core.playback import PlaybackLog
from voice_coach.core.progress import Progress
from voice_coach.core.session import Session
from voice_coach.listening.listener import Utterance
from voice_coach.ports import (
    Clock,
    Output,
    PlaceStore,
    PreferenceKeeper,
    Speaker,
)
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


class Driver(Protocol):
    """Where a run's events come from and how its time passes: the virtual clock's discrete
    events (``run/virtual.py``) or real time's threads (``run/realtime.py``)."""

    clock: Clock

    def attach(self, runner: Runner) -> None:
        """Called once by the runner it drives, before anything happens."""
        ...

    def next_event(self) -> Event | None:
        """The next event for the session (None: nothing yet, ask again)."""
        ...

    def queue_output(self, item: Output) -> None:
        """Queue an utterance or a chime, or a step marker that begins when what is queued
        before it has been said."""
        ...

    def silence(self) -> None:
        """Stop speaking at once and drop what is queued (step markers are kept)."""
        ...

    def handled(self) -> None:
        """An event was handled: the session may listen for other things now."""
        ...

    def stop(self) -> None:
        """The session ended: let the last words be said (unless interrupted), log them, and
        release any thread."""
        ...


class Attached:
    """What every driver keeps of the runner it drives, once it is attached."""

    _runner: Runner | None = None

    @property
    def runner(self) -> Runner:
        assert self._runner is not None, "attach() first"
        return self._runner

    def attach(self, runner: Runner) -> None:
        self._runner = runner


class Runner:
    """Runs a session to its end: feeds it the driver's events and carries out its effects.
    The driver decides where events come from and how time passes (its clock is the run's)."""

    def __init__(self, parts: RunParts, driver: Driver) -> None:
        self.session = parts.session
        self.chimes = parts.chimes
        self.phrases = parts.phrases
        self.speaker = parts.speaker
        self.progress = parts.progress
        self.preferences = parts.preferences
        self.transcript = parts.transcript
        self.playback = parts.playback
        self.driver = driver
        self.clock = driver.clock
        self.lock = threading.Lock()
        """Held while the session changes; the terminal's status bar takes it to read it."""
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
        driver.attach(self)

    def run(self) -> str:
        """Run to the end; return the end reason."""
        self.handle(Start(self.clock.now()))
        while self.end_reason is None:
            event = self.driver.next_event()
            if event is not None:
                self.handle(event)
        self.driver.stop()
        self.finish(self.clock.now())
        return self.end_reason

    def handle(self, event: Event) -> None:
        """One event through the session, and its effects carried out."""
        with self.lock:
            self.execute(self.session.handle(event), event.t)
            self.driver.handled()

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
                    self.driver.queue_output(effect)
                case Silence():
                    self.driver.silence()
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
