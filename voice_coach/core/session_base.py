"""The session's state and what every part of it shares: its attributes, the queries on them
(where it is, what it listens for, the place to save) and the helpers that say, pause, schedule
and end. The rules are in ``session_questions.py`` and ``session_steps.py``; the dispatch of
events in ``session.py``."""

from __future__ import annotations

from enum import Enum, auto

from voice_coach.core.commands import Intent
from voice_coach.core.events import (
    CancelTimer,
    Effect,
    End,
    Save,
    Say,
    SetTimer,
    SetVoice,
    Silence,
)
from voice_coach.core.hold import Hold
from voice_coach.core.plan import Plan, Stop
from voice_coach.core.progress import Progress
from voice_coach.core.prompts import Prompts
from voice_coach.core.states import State, listens

ANSWER_TIMEOUT = 12.0
"""Seconds of silence after a question before it is asked once more."""
EXTRA_TIME = 30.0
"""Seconds "more time" adds to a hold."""
HALFWAY_MIN_HOLD = 40.0
"""Holds at least this long get a "halfway" cue (unless a routine cue is near it)."""
VOICE_LEVELS = range(-4, 5)
"""Allowed rate and volume levels; 0 is the configured default."""

VOICE_CHANGES = {
    Intent.SLOWER: ("rate", -1, "slower", "slowest"),
    Intent.FASTER: ("rate", 1, "faster", "fastest"),
    Intent.QUIETER: ("volume", -1, "quieter", "quietest"),
    Intent.LOUDER: ("volume", 1, "louder", "loudest"),
}
NAVIGATION = {Intent.NEXT, Intent.SKIP, Intent.BACK, Intent.GOTO, Intent.SWITCH_FOOT}


class Mode(Enum):
    RESUME_PROMPT = auto()
    SAFETY = auto()
    STEP = auto()
    IDLE = auto()
    """The routine is over and the coach stays on: "start" begins it again."""
    ENDED = auto()


class Phase(Enum):
    INTRO = auto()
    """Saying what to do; the hold starts when the coach falls silent."""
    HOLD = auto()
    WAITING = auto()
    """The hold is over (or there is none) and "next" is awaited."""


class SessionState:
    """One run through a routine plan: its state, and the helpers every rule uses."""

    def __init__(
        self,
        plan: Plan,
        prompts: Prompts,
        saved: Progress | None = None,
        auto_advance: bool = True,
        rate: int = 0,
        volume: int = 0,
        stay: bool = False,
    ) -> None:
        self.plan = plan
        self.stay = stay
        """At the end of the routine, wait for "start" instead of ending (an always-on coach)."""
        self.prompts = prompts
        self.auto_advance = auto_advance
        self.rate = rate
        self.volume = volume
        self.saved = saved if saved and plan.find(saved.step, saved.side) else None
        self.mode = Mode.SAFETY
        self.question = 0
        self.stop_index = 0
        self.phase = Phase.INTRO
        self.paused = False
        self.confirm: Intent | None = None
        """QUIT or RESTART while a yes/no confirmation is open."""
        self.omitted: set[str] = set()
        self.lost: set[str] = set()
        """Devices that stopped working and paused the session."""
        self._paused_for_device = False
        """The pause is the devices' doing (not the person's): it ends when they are back."""
        self.hold = Hold(0.0)
        self.end_reason: str | None = None
        self._asking: str | None = None
        self._tries = 0
        self._awaiting: int | None = None
        self._question_deadline: float | None = None
        self._utterance = 0
        self._now = 0.0
        self._out: list[Effect] = []

    @property
    def stop(self) -> Stop:
        return self.plan.stops[self.stop_index]

    @property
    def frozen(self) -> bool:
        """Whether the hold clock is stopped (paused, confirming, or not in a step)."""
        return self.paused or self.confirm is not None or self.mode is not Mode.STEP

    @property
    def state(self) -> State:
        """Where the session is, as far as what it listens for goes."""
        if self.mode is Mode.ENDED:
            return State.ENDED
        if self.confirm is not None:
            return State.CONFIRM
        if self.mode is Mode.RESUME_PROMPT:
            return State.RESUME_OFFER
        if self.mode is Mode.IDLE:
            return State.IDLE
        if self.mode is Mode.SAFETY:
            return State.QUESTION
        return State.PAUSED if self.paused else State.STEP

    def listening(self) -> frozenset[Intent]:
        """The intents that mean something now (``core/states.py``): a recogniser listens for
        these phrases only, and typed input is held to them too."""
        return listens(self.state, self.plan.routine)

    @property
    def resumable(self) -> bool:
        """Whether there is a place to come back to: only in the routine, after the safety
        check (a session stopped during it asks every question again next time)."""
        return self.mode is Mode.STEP

    def progress(self) -> Progress:
        stop = self.stop
        return Progress(
            self.plan.routine.id,
            self.plan.variant.id,
            stop.step.id,
            stop.side_id,
            tuple(sorted(self.omitted)),
        )

    def _pause(self, prompt: str | None) -> None:
        """Silence, stop the hold clock and any question timer, and say ``prompt`` if given."""
        self._freeze()
        self.paused = True
        self._paused_for_device = False
        self._awaiting = None
        self._question_deadline = None
        self._out.append(Silence())
        if prompt is not None:
            self._say(self.prompts.say(prompt))

    def _schedule(self) -> None:
        """Ask the runner for the next wake-up, or for none."""
        at = None
        deadline = self._question_deadline
        if self._asking is not None and deadline is not None and not self.paused:
            at = deadline
        elif self.mode is Mode.STEP and self.phase is Phase.HOLD and not self.frozen:
            at = self.hold.wake_at(self._now)
        self._out.append(SetTimer(at) if at is not None else CancelTimer())

    def _freeze(self) -> None:
        self.hold.freeze(self._now)

    def _unfreeze(self) -> None:
        if self.phase is Phase.HOLD:
            self.hold.start(self._now)

    def _say(self, text: str, await_silence: bool = False) -> None:
        self._utterance += 1
        self._out.append(Say(text, self._utterance))
        if await_silence:
            self._awaiting = self._utterance
            self._question_deadline = None

    def _change_voice(self, intent: Intent) -> None:
        attribute, step, done, limit = VOICE_CHANGES[intent]
        level = getattr(self, attribute) + step
        if level not in VOICE_LEVELS:
            self._say(self.prompts.say(limit))
            return
        setattr(self, attribute, level)
        self._out.append(SetVoice(self.rate, self.volume))
        self._say(self.prompts.say(done))

    def _end(self, reason: str, save: Save | None = None) -> None:
        self._out.append(CancelTimer())
        if save is not None:
            self._out.append(save)
        self._out.append(End(reason))
        self.mode = Mode.ENDED
        self.end_reason = reason
