"""What the coach says about where the person is, put together from the locale's prompts: a
step's heading, where a saved place is, "where am I", and the help for a step. Pure functions of
the plan and a stop; the session decides when to say them."""

from __future__ import annotations

from voice_coach.core.plan import Plan, Stop
from voice_coach.core.prompts import Prompts


def heading(prompts: Prompts, plan: Plan, stop: Stop) -> str:
    """ "Step 3 of 12. Toe bends." for a numbered step, "Soak your feet." for preparation."""
    if stop.number:
        return prompts.say("step_heading", number=stop.number, total=len(plan.techniques),
                           title=stop.step.title)  # fmt: skip
    return prompts.say("prep_heading", title=stop.step.title)


def place(prompts: Prompts, stop: Stop) -> str:
    """A saved place, as the resume offer names it: the step, and the side when it has one."""
    if stop.side:
        return prompts.say("resume_place_side", title=stop.step.title, side=stop.side.name)
    return prompts.say("resume_place", title=stop.step.title)


def where(prompts: Prompts, plan: Plan, stop: Stop) -> str:
    """The first part of "where am I": the step, its number and side, as the routine has them."""
    total = len(plan.techniques)
    if stop.side:
        return prompts.say("status_step", number=stop.number, total=total, title=stop.step.title,
                           side=stop.side.name)  # fmt: skip
    if stop.number:
        return prompts.say("status_step_no_side", number=stop.number, total=total,
                           title=stop.step.title)  # fmt: skip
    return prompts.say("status_prep", title=stop.step.title)


def step_help(prompts: Prompts, plan: Plan) -> str:
    """What can be said during a step ("other foot" only where the routine has sides)."""
    return prompts.say("help_step" if plan.routine.sides else "help_step_no_sides")
