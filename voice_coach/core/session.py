"""The session: a pure state machine, ``session.handle(event) -> effects``.

Every rule of a routine lives here: what "next" means during a safety question, a hold, a pause or
on the last step. It reads no clock (each event carries ``t``), does no I/O, and never raises on
any sequence of events; the runner executes the effects it returns.
"""

from __future__ import annotations

from voice_coach.core.commands import Command, Intent
from voice_coach.core.events import (
    Chime,
    DeviceBack,
    DeviceLost,
    Effect,
    Event,
    Heard,
    NoInput,
    Save,
    SpeechDone,
    Start,
    TimerDone,
)
from voice_coach.core.session_base import (
    ANSWER_TIMEOUT,
    EXTRA_TIME,
    VOICE_CHANGES,
    VOICE_LEVELS,
    Mode,
    Phase,
)
from voice_coach.core.session_questions import QuestionRules
from voice_coach.core.session_steps import StepRules

__all__ = ["EXTRA_TIME", "VOICE_LEVELS", "Mode", "Phase", "Session"]


class Session(QuestionRules, StepRules):
    """One run through a routine plan: events in, effects out. The state and its helpers are
    in ``session_base.py``, the questions' rules in ``session_questions.py``, the steps' in
    ``session_steps.py``."""

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

    def _heard(self, command: Command | None) -> None:
        intent = command.intent if command else None
        if intent in (Intent.PAUSE, Intent.STOP) and self.paused:
            self._paused_for_device = False  # the person wants the pause too
        if intent in VOICE_CHANGES:
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
