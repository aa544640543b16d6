"""The session's questions: the safety check, the offer to resume a saved place, and the yes/no
confirmations of ending or starting over. Part of :class:`voice_coach.core.session.Session`
(methods over its state; the steps' rules are in ``session_steps.py``)."""

from __future__ import annotations

from voice_coach.core import wording
from voice_coach.core.commands import Intent
from voice_coach.core.events import (
    Save,
    Silence,
)
from voice_coach.core.hold import Hold
from voice_coach.core.session_base import (
    NAVIGATION,
    Mode,
    Phase,
    SessionState,
)


class QuestionRules(SessionState):
    """The safety check, the resume offer and the confirmations."""

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
        elif intent in NAVIGATION:
            self._say(self.prompts.say("safety_no_skip"))
            self._carry_on()
        else:
            self._say(self.prompts.say("answer_yes_no"))
            self._carry_on()

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
