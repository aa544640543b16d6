"""The states a session can be in, seen from outside, and the one table of what each listens for.

The session, the listener (whose grammar holds these phrases only), typed input and ``eval`` all
read this table, so a typed "next" during a safety question is treated as a spoken one would be.
"""

from __future__ import annotations

from enum import Enum

from voice_coach.core.commands import Intent
from voice_coach.core.routine import Routine


class State(Enum):
    """Where a session is, as far as what it listens for goes."""

    QUESTION = "question"
    """A safety question is open (paused or not): only answers and a few requests count."""
    RESUME_OFFER = "resume offer"
    """A saved place was found: resume it, or start over?"""
    CONFIRM = "confirm"
    """ "End the session?" or "start again?" waits for yes or no."""
    STEP = "step"
    """In the routine: a step's how-to, its hold, or waiting for "next"."""
    PAUSED = "paused"
    """In the routine, paused."""
    IDLE = "idle"
    """The routine is over and the coach stays on, waiting for "start"."""
    ENDED = "ended"


ANSWERS = frozenset({Intent.YES, Intent.NO})
VOICE = frozenset({Intent.SLOWER, Intent.FASTER, Intent.LOUDER, Intent.QUIETER})
IDLE_STARTS = frozenset({Intent.RESUME, Intent.RESTART, Intent.NEXT, Intent.YES})
"""What begins the routine again after it ended with the coach staying on ("start")."""
BARGE_IN = frozenset({Intent.STOP, Intent.PAUSE})
"""What a person can say to cut in while the coach is speaking; the rest waits for silence."""

LISTENS: dict[State, frozenset[Intent]] = {
    State.QUESTION: ANSWERS | VOICE | {Intent.REPEAT, Intent.HELP, Intent.PAUSE, Intent.STOP,
                                       Intent.RESUME, Intent.BACK, Intent.QUIT},
    State.RESUME_OFFER: ANSWERS | VOICE | {Intent.RESUME, Intent.RESTART, Intent.QUIT,
                                           Intent.REPEAT, Intent.HELP},
    State.CONFIRM: ANSWERS | VOICE | {Intent.REPEAT, Intent.HELP},
    State.STEP: frozenset(Intent) - ANSWERS - {Intent.RESUME},
    State.PAUSED: frozenset(Intent) - ANSWERS - {Intent.PAUSE},
    State.IDLE: IDLE_STARTS | VOICE | {Intent.QUIT, Intent.REPEAT, Intent.HELP},
    State.ENDED: frozenset(),
}  # fmt: skip
"""What each state listens for: a recogniser listens for these phrases only, and anything else
(typed or said) is taken as not understood."""


def listens(state: State, routine: Routine) -> frozenset[Intent]:
    """What a session of ``routine`` listens for in ``state``: the table, less what the routine
    has no use for (no "other foot" in a routine without sides)."""
    heard = LISTENS[state]
    return heard - {Intent.SWITCH_FOOT} if not routine.sides else heard
