"""The session's steps: entering one, moving between them, holds, the end of the routine, and
"where am I". Part of :class:`voice_coach.core.session.Session` (methods over its state)."""

from __future__ import annotations

from voice_coach.core import wording
from voice_coach.core.commands import Command, Intent
from voice_coach.core.events import (
    Save,
    Silence,
    StepStarted,
)
from voice_coach.core.hold import Hold
from voice_coach.core.plan import Stop
from voice_coach.core.routine import Cue
from voice_coach.core.session_base import (
    EXTRA_TIME,
    HALFWAY_MIN_HOLD,
    NAVIGATION,
    Mode,
    Phase,
    SessionState,
)
from voice_coach.core.states import IDLE_STARTS


class StepRules(SessionState):
    """Entering, moving between and finishing steps."""

    def _in_step(self, command: Command | None) -> None:
        intent = command.intent if command else None
        if intent in NAVIGATION and command is not None:
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
        elif intent in NAVIGATION and command is not None:
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
