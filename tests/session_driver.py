"""Drives a Session by hand: a tiny stand-in for the runner, for fast state-machine tests."""

from __future__ import annotations

from voice_coach.core.commands import Command, Intent, PhraseBook
from voice_coach.core.events import (
    Effect,
    End,
    Heard,
    NoInput,
    Say,
    SetTimer,
    SpeechDone,
    Start,
    StepStarted,
    TimerDone,
)
from voice_coach.core.session import Session


class Driver:
    """Feeds events with a clock it moves by hand; remembers the timer and what was said."""

    def __init__(self, session: Session, phrases: PhraseBook | None = None) -> None:
        self.session = session
        self.phrases = phrases
        self.t = 0.0
        self.timer: float | None = None
        self.last_say = 0
        self.effects: list[Effect] = []

    def send(self, event) -> list[Effect]:
        effects = self.session.handle(event)
        for effect in effects:
            if isinstance(effect, Say):
                self.last_say = effect.utterance
            if isinstance(effect, SetTimer):
                self.timer = effect.at
            elif type(effect).__name__ == "CancelTimer":
                self.timer = None
        self.effects += effects
        return effects

    def start(self) -> list[Effect]:
        return self.send(Start(self.t))

    def silent(self, seconds: float = 1.0) -> list[Effect]:
        """The coach finishes speaking after ``seconds``."""
        self.t += seconds
        return self.send(SpeechDone(self.t, self.last_say))

    def hear(self, what: str | Intent | Command | None, target=None) -> list[Effect]:
        if isinstance(what, str) and self.phrases is not None:
            command = self.phrases.parse(what)
        elif isinstance(what, Intent):
            command = Command(what, target)
        else:
            command = what
        return self.send(Heard(self.t, str(what), command))

    def wait(self, seconds: float) -> list[Effect]:
        """Let time pass, firing the timer whenever it falls due (speech takes no time here)."""
        out: list[Effect] = []
        end = self.t + seconds
        while self.timer is not None and self.timer <= end:
            self.t = max(self.t, self.timer)
            self.timer = None
            produced = self.send(TimerDone(self.t))
            out += produced
            if any(isinstance(e, Say) for e in produced):
                out += self.send(SpeechDone(self.t, self.last_say))
        self.t = end
        return out

    def no_input(self) -> list[Effect]:
        return self.send(NoInput(self.t))


def said(effects: list[Effect]) -> list[str]:
    return [e.text for e in effects if isinstance(e, Say)]


def steps(effects: list[Effect]) -> list[tuple[str, str | None]]:
    return [(e.step, e.side) for e in effects if isinstance(e, StepStarted)]


def ended(effects: list[Effect]) -> str | None:
    return next((e.reason for e in effects if isinstance(e, End)), None)
