"""The session: a pure state machine, ``session.handle(event) -> effects``.

Every rule of a routine lives here: what "next" means during a safety question, a hold, a pause or
on the last step. It reads no clock (each event carries ``t``), does no I/O, and never raises on
any sequence of events; the runner executes the effects it returns.
"""

from __future__ import annotations

from enum import Enum, auto

from voice_coach.core import wording
from voice_coach.core.commands import Command, Intent
from voice_coach.core.events import (
    CancelTimer,
    Chime,
    DeviceBack,
    DeviceLost,
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
from voice_coach.core.hold import Hold
from voice_coach.core.plan import Plan, Stop
from voice_coach.core.progress import Progress
from voice_coach.core.prompts import Prompts
from voice_coach.core.routine import Cue
from voice_coach.core.states import IDLE_STARTS, State, listens

ANSWER_TIMEOUT = 12.0
"""Seconds of silence after a question before it is asked once more."""
EXTRA_TIME = 30.0
"""Seconds "more time" adds to a hold."""
HALFWAY_MIN_HOLD = 40.0
"""Holds at least this long get a "halfway" cue (unless a routine cue is near it)."""
VOICE_LEVELS = range(-4, 5)
"""Allowed rate and volume levels; 0 is the configured default."""

_VOICE = {
    Intent.SLOWER: ("rate", -1, "slower", "slowest"),
    Intent.FASTER: ("rate", 1, "faster", "fastest"),
    Intent.QUIETER: ("volume", -1, "quieter", "quietest"),
    Intent.LOUDER: ("volume", 1, "louder", "loudest"),
}
_NAVIGATION = {Intent.NEXT, Intent.SKIP, Intent.BACK, Intent.GOTO, Intent.SWITCH_FOOT}


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


class Session:
    """One run through a routine plan."""

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

    # ------------------------------------------------------------------------------ queries

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

    # ------------------------------------------------------------------------------ dispatch

    def handle(self, event: Event) -> list[Effect]:
        """Feed one event in; get the effects to carry out, in order."""
        if self.mode is Mode.ENDED:
            return []
        self._now = max(self._now, event.t)
        self._out = []
        match event:
            case Start():
                self._start()
            case Heard(command=command):
                self._heard(command)
            case TimerDone():
                self._timer()
            case SpeechDone(utterance=utterance):
                self._speech_done(utterance)
            case NoInput():
                self._no_input()
            case DeviceLost(device=device):
                self._device_lost(device)
            case DeviceBack(device=device):
                self._device_back(device)
        if self.mode is not Mode.ENDED:
            self._schedule()
        return self._out

    def _start(self) -> None:
        if self.saved:
            stop = self.plan.find(self.saved.step, self.saved.side)
            assert stop is not None
            self.mode = Mode.RESUME_PROMPT
            self._ask(self.prompts.say("resume_prompt", place=wording.place(self.prompts, stop)))
        else:
            self._fresh_start()

    def _fresh_start(self) -> None:
        """From the welcome and the safety questions, whatever came before (a saved place
        declined, or a finished routine when the coach stays on)."""
        self.saved = None
        self.mode = Mode.SAFETY
        self.stop_index = 0
        self.phase = Phase.INTRO
        self.hold = Hold(0.0)
        self.omitted.clear()
        self._say(self.plan.routine.welcome)
        self.question = 0
        self._next_question()

    def _heard(self, command: Command | None) -> None:
        intent = command.intent if command else None
        if intent in (Intent.PAUSE, Intent.STOP) and self.paused:
            self._paused_for_device = False  # the person wants the pause too
        if intent in _VOICE:
            self._change_voice(intent)
            if self.confirm or (self._asking and self.mode is not Mode.STEP and not self.paused):
                self._reask()
        elif self.mode is Mode.IDLE:
            self._idle(intent)
        elif self.confirm is not None:
            self._confirming(intent)
        elif (intent is Intent.QUIT and self.mode is not Mode.RESUME_PROMPT) or (
            intent is Intent.RESTART and self.mode is Mode.STEP
        ):
            self._open_confirm(intent)
        elif self.mode is Mode.RESUME_PROMPT:
            self._resume_prompt(intent)
        elif self.mode is Mode.SAFETY:
            self._safety(intent)
        elif self.paused:
            self._while_paused(command)
        else:
            self._in_step(command)

    # ------------------------------------------------------------------------------ questions

    def _ask(self, text: str) -> None:
        self._asking = text
        self._tries = 0
        self._say(text, await_silence=True)

    def _reask(self) -> None:
        if self._asking:
            self._say(self._asking, await_silence=True)

    def _answer_timeout(self) -> None:
        self._tries += 1
        if self._tries == 1:
            self._say(self.prompts.say("ask_again"))
            self._say(self._asking or "", await_silence=True)
        else:
            self._say(self.prompts.say("waiting_for_answer"))
            self._awaiting = None

    def _next_question(self) -> None:
        questions = self.plan.routine.safety
        if self.question < len(questions):
            self._ask(questions[self.question].question)
        else:
            self._asking = None
            if questions:
                self._say(self.prompts.say("safety_ok"))
            self.mode = Mode.STEP
            self._enter(self._first_included(0, 1))

    def _safety(self, intent: Intent | None) -> None:
        question = self.plan.routine.safety[self.question]
        if self.paused and intent in (None, Intent.PAUSE, Intent.HELP):
            self._say(self.prompts.say("help_paused" if intent else "already_paused"))
            return
        if intent in (Intent.PAUSE, Intent.STOP):
            self._pause("stopped" if intent is Intent.STOP else "paused")
            return
        self.paused = False  # anything else said to a paused question carries on with it
        if intent is Intent.YES:
            self._say(question.message)
            if question.if_yes == "end":
                self._end("safety", Save(None))
                return
            self.omitted.update(question.omit)
            self.question += 1
            self._next_question()
        elif intent is Intent.NO:
            self.question += 1
            self._next_question()
        elif (intent is Intent.BACK and self.question > 0) or intent is Intent.RESTART:
            self.question = 0 if intent is Intent.RESTART else self.question - 1
            self._carry_on()
        elif intent in (Intent.REPEAT, Intent.STATUS, Intent.RESUME):
            self._carry_on()
        elif intent is Intent.HELP:
            self._say(self.prompts.say("help_question"), await_silence=True)
        elif intent in _NAVIGATION:
            self._say(self.prompts.say("safety_no_skip"))
            self._carry_on()
        else:
            self._say(self.prompts.say("answer_yes_no"))
            self._carry_on()

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

    def _resume_prompt(self, intent: Intent | None) -> None:
        if intent in (Intent.RESUME, Intent.YES, Intent.NEXT):
            assert self.saved is not None
            stop = self.plan.find(self.saved.step, self.saved.side)
            assert stop is not None
            self.omitted = set(self.saved.omitted)
            self.mode = Mode.STEP
            self._asking = None
            self._enter(stop.index)
        elif intent in (Intent.RESTART, Intent.NO):
            self._fresh_start()
        elif intent is Intent.QUIT:
            self._end("quit")
        elif intent is Intent.REPEAT:
            self._reask()
        else:
            self._say(self.prompts.say("help_resume"), await_silence=True)

    def _open_confirm(self, intent: Intent) -> None:
        self._freeze()
        self.confirm = intent
        self._out.append(Silence())
        self._ask(self.prompts.say("confirm_quit" if intent is Intent.QUIT else "confirm_restart"))

    def _confirming(self, intent: Intent | None) -> None:
        kind = self.confirm
        if intent is Intent.YES:
            self.confirm = None
            self._asking = None
            if kind is Intent.QUIT:
                resumable = self.resumable
                self._say(self.prompts.say("quit_confirmed" if resumable else "quit_before_start"))
                # During the safety check there is no place to come back to: the next run
                # asks every question again (and a place declined for it is dropped).
                self._end("quit", Save(self.progress() if resumable else None))
            else:
                self.paused = False
                self.mode = Mode.STEP
                self._enter(self._first_included(0, 1), interrupt=True)
        elif intent is Intent.NO:
            self.confirm = None
            self._asking = None
            self._say(
                self.prompts.say("quit_cancelled_paused" if self.paused else "quit_cancelled")
            )
            self._carry_on()
        elif intent is Intent.REPEAT:
            self._reask()
        elif intent is Intent.HELP:
            self._say(self.prompts.say("help_confirm"), await_silence=True)
        else:
            self._say(self.prompts.say("answer_yes_no"))
            self._reask()

    def _carry_on(self) -> None:
        """Go on from where the person was before a pause or a confirmation."""
        if self.mode is Mode.SAFETY:
            question = self.plan.routine.safety[self.question].question
            if self.paused:
                self._asking = question
            else:
                self._ask(question)
        elif self.paused:
            return
        elif self.phase is Phase.INTRO:
            self._enter(self.stop_index, announce=False)
        else:
            self._unfreeze()

    # ------------------------------------------------------------------------------ steps

    def _in_step(self, command: Command | None) -> None:
        intent = command.intent if command else None
        if intent in _NAVIGATION and command is not None:
            self._navigate(command)
        elif intent is Intent.REPEAT:
            self._enter(self.stop_index, full=True, interrupt=True, announce=False)
        elif intent in (Intent.PAUSE, Intent.STOP):
            self._pause("stopped" if intent is Intent.STOP else "paused")
        elif intent is Intent.RESUME:
            self._say(self.prompts.say("not_paused"))
        elif intent is Intent.STATUS:
            self._say(self._status())
        elif intent is Intent.HELP:
            self._say(wording.step_help(self.prompts, self.plan))
        elif intent is Intent.MORE_TIME:
            self._more_time()
        else:
            self._say(self.prompts.say("not_understood"))

    def _while_paused(self, command: Command | None) -> None:
        intent = command.intent if command else None
        if intent is Intent.RESUME:
            self.paused = False
            self._say(self.prompts.say("resumed"))
            self._carry_on()
        elif intent in _NAVIGATION and command is not None:
            self.paused = False
            self._navigate(command)
        elif intent is Intent.STOP:
            self._open_confirm(Intent.QUIT)
        elif intent is Intent.REPEAT:
            self._say(self.plan.intro_text(self.stop, full=True))
        elif intent is Intent.STATUS:
            self._say(self._status())
        elif intent is Intent.MORE_TIME:
            self._more_time()
        elif intent is Intent.HELP:
            self._say(self.prompts.say("help_paused"))
        else:
            self._say(self.prompts.say("already_paused"))

    def _navigate(self, command: Command) -> None:
        stop = self.stop
        intent = command.intent
        if intent in (Intent.NEXT, Intent.SKIP):
            following = self._first_included(self.stop_index + 1, 1)
            if following is None:
                self._finish()
            else:
                self._enter(following, interrupt=True)
        elif intent is Intent.BACK:
            previous = self._first_included(self.stop_index - 1, -1)
            if previous is None:
                self._say(self.prompts.say("first_step"))
                self._enter(self.stop_index, interrupt=True, announce=False)
            else:
                self._enter(previous, interrupt=True)
        elif intent is Intent.GOTO:
            self._goto(command.target)
        elif not self.plan.routine.sides:
            self._say(self.prompts.say("no_sides"))
        elif stop.side is None:
            self._say(self.prompts.say("no_side_yet"))
        else:
            sides = self.plan.routine.sides
            target = command.target or sides[(stop.side_index + 1) % len(sides)].id
            found = self.plan.find(stop.step.id, str(target))
            if found is None or found.index == stop.index:
                self._say(self._status())
            else:
                self._out.append(Silence())  # before the words, or it would silence them
                self._say(self.prompts.say("side_now", side=found.side.name if found.side else ""))
                self._enter(found.index)

    def _goto(self, target: int | str | None) -> None:
        techniques = self.plan.techniques
        side = self.stop.side_id or (
            self.plan.routine.sides[0].id if self.plan.routine.sides else None
        )
        if isinstance(target, int):
            if not 1 <= target <= len(techniques):
                self._say(self.prompts.say("no_such_step", number=target, total=len(techniques)))
                return
            step_id = techniques[target - 1].id
        else:
            step_id = str(target)
        found = self.plan.find(step_id, side)
        if found is None:
            self._say(self.prompts.say("not_understood"))
        elif step_id in self.omitted:
            self._say(self.prompts.say("skipped_step"))
        else:
            self._enter(found.index, interrupt=True)

    def _more_time(self) -> None:
        if self.phase is Phase.WAITING:
            self.hold = Hold(EXTRA_TIME)
            self.phase = Phase.HOLD
            self._unfreeze()
        else:
            self.hold.extend(EXTRA_TIME)
        self._say(self.prompts.say("extra_time"))

    def _first_included(self, index: int, direction: int) -> int | None:
        """The first stop from ``index`` (walking in ``direction``) that is not left out."""
        while 0 <= index < len(self.plan):
            if self.plan.stops[index].step.id not in self.omitted:
                return index
            index += direction
        return None

    def _enter(
        self,
        index: int | None,
        *,
        full: bool = False,
        interrupt: bool = False,
        announce: bool = True,
    ) -> None:
        """Begin a stop: say its heading and how-to; the hold starts when speech is done."""
        if index is None:
            self._finish()
            return
        if interrupt:
            self._out.append(Silence())
        self.stop_index = index
        stop = self.stop
        self.phase = Phase.INTRO
        self.hold = Hold(stop.hold, cues=self._cues(stop))
        if announce:
            if stop.first_on_side and stop.side and stop.side.intro:
                self._say(stop.side.intro)
            self._out.append(
                StepStarted(
                    stop.step.id,
                    stop.side_id,
                    stop.step.title,
                    stop.number,
                    len(self.plan.techniques),
                )
            )
            self._out.append(Save(self.progress()))
        self._say(wording.heading(self.prompts, self.plan, stop))
        self._say(self.plan.intro_text(stop, full=full), await_silence=True)

    def _cues(self, stop: Stop) -> list[Cue]:
        """A stop's cues: the routine's tips and a "halfway" when no tip is near it."""
        cues = list(stop.cues)
        half = stop.hold / 2
        if stop.hold >= HALFWAY_MIN_HOLD and all(abs(cue.at - half) > 5 for cue in cues):
            cues.append(Cue(at=half, say=self.prompts.say("hold_halfway")))
        return sorted(cues, key=lambda cue: cue.at)

    def _finish(self) -> None:
        self._say(self.plan.routine.closing)
        if not self.stay:
            self._end("finished", Save(None))
            return
        self._out.append(Save(None))
        self.mode = Mode.IDLE
        self.paused = self._paused_for_device = False
        self._asking = None
        self._say(self.prompts.say("idle"))

    def _idle(self, intent: Intent | None) -> None:
        """After the routine, staying on: a new session on "start", nothing on chatter."""
        if intent in IDLE_STARTS:
            self._fresh_start()
        elif intent is Intent.QUIT:
            self._say(self.prompts.say("goodbye"))
            self._end("quit")
        elif intent is Intent.HELP:
            self._say(self.prompts.say("help_idle"))
        elif intent is Intent.REPEAT or intent is None:
            self._say(self.prompts.say("idle"))

    # ------------------------------------------------------------------------------ time

    def _speech_done(self, utterance: int) -> None:
        if self._awaiting is None or utterance < self._awaiting:
            return
        self._awaiting = None
        if self.mode is Mode.STEP and self.confirm is None and self.phase is Phase.INTRO:
            if self.stop.hold > 0:
                self.phase = Phase.HOLD
                if not self.paused:
                    self.hold.start(self._now)
                    self._out.append(Chime("hold-start"))
            else:
                self.phase = Phase.WAITING
                self._say(self.prompts.say("wait_for_next"))
        elif self._asking is not None:
            self._question_deadline = self._now + ANSWER_TIMEOUT

    def _timer(self) -> None:
        deadline = self._question_deadline
        if self._asking is not None and deadline is not None and self._now >= deadline - 1e-9:
            self._question_deadline = None
            self._answer_timeout()
            return
        if self.mode is not Mode.STEP or self.phase is not Phase.HOLD or self.frozen:
            return
        for cue in self.hold.due_cues(self._now):
            self._say(cue.say)
        if self.hold.finished(self._now):
            self._out.append(Chime("hold-end"))
            if self.auto_advance:
                self._say(self.prompts.say("hold_done"))
                self._enter(self._first_included(self.stop_index + 1, 1))
            else:
                self.phase = Phase.WAITING
                self._say(self.prompts.say("wait_for_next"))

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

    def _device_lost(self, device: str) -> None:
        """Pause, as if asked to, until the device is back (saying so, if it can be heard)."""
        if self.mode is Mode.IDLE:
            if device == "microphone" and "microphone" not in self.lost:
                self._say(self.prompts.say("microphone_lost"))
            self.lost.add(device)
            return
        if not self.lost and not self.paused:
            self._pause("microphone_lost" if device == "microphone" else None)
            self._paused_for_device = True
        self.lost.add(device)

    def _device_back(self, device: str) -> None:
        """Carry on where the person was once every lost device is back; a pause the person
        asked for (before or meanwhile) stays until they resume."""
        if device not in self.lost:
            return
        self.lost.discard(device)
        if self.mode is Mode.IDLE and not self.lost:
            self._say(self.prompts.say("idle"))
        if self.lost or not self.paused:
            return
        if self._paused_for_device:
            self.paused = False
            self._paused_for_device = False
            self._say(self.prompts.say("device_back"))
            self._carry_on()
        else:
            self._say(self.prompts.say("device_back_paused"))

    def _no_input(self) -> None:
        self._say(self.prompts.say("no_input"))
        self._end("no-input", Save(self.progress()) if self.resumable else None)

    # ------------------------------------------------------------------------------ output

    def _say(self, text: str, await_silence: bool = False) -> None:
        self._utterance += 1
        self._out.append(Say(text, self._utterance))
        if await_silence:
            self._awaiting = self._utterance
            self._question_deadline = None

    def _change_voice(self, intent: Intent) -> None:
        attribute, step, done, limit = _VOICE[intent]
        level = getattr(self, attribute) + step
        if level not in VOICE_LEVELS:
            self._say(self.prompts.say(limit))
            return
        setattr(self, attribute, level)
        self._out.append(SetVoice(self.rate, self.volume))
        self._say(self.prompts.say(done))

    def _status(self) -> str:
        stop = self.stop
        parts = [wording.where(self.prompts, self.plan, stop)]
        if self.paused:
            parts.append(self.prompts.say("status_paused"))
        left = self.hold.remaining(self._now)
        if self.phase is not Phase.WAITING and left > 0:
            parts.append(self.prompts.say("status_hold", left=self.prompts.duration(left)))
        total = left + self.plan.estimate_seconds(stop.index + 1, frozenset(self.omitted))
        parts.append(self.prompts.say("status_total", minutes=self.prompts.duration(total)))
        return " ".join(parts)

    def _end(self, reason: str, save: Save | None = None) -> None:
        self._out.append(CancelTimer())
        if save is not None:
            self._out.append(save)
        self._out.append(End(reason))
        self.mode = Mode.ENDED
        self.end_reason = reason
