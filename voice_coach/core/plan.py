"""A routine laid out as the sequence of stops a session walks through, with time estimates.

A *stop* is one step on one side (or a step with no side). Per-side steps form one block that is
done on the first side, then on the next (one foot at a time). A variant picks a subset of the
steps and scales the holds.
"""

from __future__ import annotations

from dataclasses import dataclass

from voice_coach.core.routine import Cue, Routine, Side, Step

WORDS_PER_SECOND = 2.6
"""Nominal speaking speed (about 155 words a minute) used to estimate how long speech takes."""


def speech_seconds(text: str, rate: float = 1.0) -> float:
    """Estimated seconds to speak ``text`` at ``rate`` times the nominal speed."""
    words = len(text.split())
    return 0.0 if words == 0 else words / (WORDS_PER_SECOND * rate) + 0.3


@dataclass(frozen=True)
class Stop:
    """One step on one side: the unit the session moves through."""

    index: int
    step: Step
    side: Side | None
    side_index: int
    """0 for the first side (and for steps with no side), 1 for the second, …"""
    number: int
    """1-based number among the per-side steps ("step 3 of 12"); 0 for other steps."""
    hold: float
    cues: tuple[Cue, ...]

    @property
    def side_id(self) -> str | None:
        return self.side.id if self.side else None

    @property
    def first_on_side(self) -> bool:
        """The first per-side stop on its side (where the side's intro is said)."""
        return self.side is not None and self.number == 1


class Plan:
    """The stops of a routine variant, in order."""

    def __init__(self, routine: Routine, variant_id: str = "standard") -> None:
        self.routine = routine
        self.variant = routine.variant(variant_id)
        chosen = set(self.variant.steps) if self.variant.steps is not None else None
        steps = [s for s in routine.steps if chosen is None or s.id in chosen]
        per_side = tuple(s for s in steps if s.per_side)
        self.techniques: tuple[Step, ...] = per_side or tuple(steps)
        """The numbered steps ("step 3 of 12"): the per-side block, or every step of a routine
        that has none."""
        stops: list[Stop] = []
        block_done = False
        for step in steps:
            if not step.per_side:
                number = 0 if per_side else self.techniques.index(step) + 1
                stops.append(self._stop(len(stops), step, None, 0, number))
            elif not block_done:
                block_done = True
                for side_index, side in enumerate(routine.sides):
                    for number, technique in enumerate(self.techniques, start=1):
                        stops.append(self._stop(len(stops), technique, side, side_index, number))
        self.stops: tuple[Stop, ...] = tuple(stops)

    def _stop(
        self, index: int, step: Step, side: Side | None, side_index: int, number: int
    ) -> Stop:
        scale = self.variant.hold_scale
        hold = round(step.hold * scale)
        # Tips are said on the first side only: on the second they would nag.
        cues = tuple(
            Cue(at=round(cue.at * scale), say=cue.say)
            for cue in (step.cues if side_index == 0 else ())
        )
        return Stop(
            index,
            step,
            side,
            side_index,
            number,
            float(hold),
            tuple(cue for cue in cues if 0 < cue.at < hold),
        )

    def __len__(self) -> int:
        return len(self.stops)

    def find(self, step_id: str, side_id: str | None) -> Stop | None:
        """The stop for this step on this side (side ignored for steps with no side)."""
        for stop in self.stops:
            if stop.step.id == step_id and (stop.side is None or stop.side_id == side_id):
                return stop
        return None

    def first_on(self, side_id: str) -> Stop | None:
        """The first per-side stop on the given side."""
        return next((s for s in self.stops if s.side_id == side_id), None)

    def estimate_seconds(self, start: int = 0, omitted: frozenset[str] = frozenset()) -> float:
        """Estimated seconds from the start of stop ``start`` to the end of the routine."""
        total = 0.0
        for stop in self.stops[start:]:
            if stop.step.id in omitted:
                continue
            total += speech_seconds(self.intro_text(stop)) + stop.hold
            total += sum(speech_seconds(cue.say) for cue in stop.cues)
        return total + speech_seconds(self.routine.closing)

    def intro_text(self, stop: Stop, full: bool = False) -> str:
        """What is said about a step before its hold: the full how-to, or the reminder."""
        short = stop.side_index > 0 and stop.step.reminder and not full
        return stop.step.reminder if short else stop.step.say
