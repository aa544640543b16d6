"""The whole spoken script of a routine, with step names and timings, as printable text."""

from __future__ import annotations

from voice_coach.core.plan import Plan, speech_seconds
from voice_coach.core.routine import Routine


def clock(seconds: float) -> str:
    """``mm:ss``."""
    seconds = round(seconds)
    return f"{seconds // 60:d}:{seconds % 60:02d}"


def render_script(plan: Plan) -> str:
    """Everything the coach says, in order, with when each step starts and how long it holds."""
    routine = plan.routine
    lines = [
        f"{routine.title} ({routine.id}, {routine.locale}) - variant '{plan.variant.id}': "
        f"{plan.variant.title}",
        f"About {clock(_total(plan))} in all (speech estimated, holds as written, no pauses).",
        "",
        "Welcome",
        f"    {routine.welcome}",
    ]
    if routine.safety:
        lines += ["", "Safety check (a 'no' goes on)"]
        for number, question in enumerate(routine.safety, start=1):
            outcome = (
                "ends the session"
                if question.if_yes == "end"
                else f"leaves out {', '.join(question.omit)}"
            )
            lines += [f"  {number}. {question.question}", f"     yes {outcome}: {question.message}"]
    t = speech_seconds(routine.welcome) + sum(speech_seconds(q.question) for q in routine.safety)
    for stop in plan.stops:
        where = f" - {stop.side.name}" if stop.side else ""
        number = f"Step {stop.number} of {len(plan.techniques)}: " if stop.number else ""
        lines += [
            "",
            f"[{clock(t)}] {number}{stop.step.title} ({stop.step.id}{where}), "
            f"hold {clock(stop.hold)}",
        ]
        if stop.first_on_side and stop.side and stop.side.intro:
            lines.append(f"    {stop.side.intro}")
        intro = plan.intro_text(stop)
        lines.append(f"    {intro}")
        t += speech_seconds(intro)
        for cue in stop.cues:
            lines.append(f"    at {clock(cue.at)}: {cue.say}")
        t += stop.hold
    lines += ["", f"[{clock(t)}] Closing", f"    {routine.closing}"]
    return "\n".join(lines)


def _total(plan: Plan) -> float:
    routine: Routine = plan.routine
    return (
        speech_seconds(routine.welcome)
        + sum(speech_seconds(q.question) for q in routine.safety)
        + plan.estimate_seconds()
    )


def summary(routine: Routine) -> str:
    """One line about a routine: steps, sides, safety questions, variants and their lengths."""
    per_side = sum(1 for step in routine.steps if step.per_side)
    variants = ", ".join(
        f"{v.id} ~{round(_total(Plan(routine, v.id)) / 60)} min" for v in routine.variants
    )
    sides = f", {per_side} per side x {len(routine.sides)} sides" if per_side else ""
    return (
        f"{routine.id} ({routine.locale}) '{routine.title}': {len(routine.steps)} steps"
        f"{sides}, {len(routine.safety)} safety questions; {variants}"
    )
