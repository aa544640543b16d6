"""Random event sequences never crash the session or leave it anywhere it should not be."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from voice_coach.core.commands import Command, Intent
from voice_coach.core.events import (
    End,
    Heard,
    NoInput,
    Save,
    Say,
    SetTimer,
    SpeechDone,
    Start,
    TimerDone,
)
from voice_coach.core.plan import Plan
from voice_coach.core.progress import Progress
from voice_coach.core.session import Mode, Session

TARGETS = {
    Intent.GOTO: st.one_of(st.integers(-2, 15), st.sampled_from(["arch-rubs", "achilles", "soak"])),
    Intent.SWITCH_FOOT: st.sampled_from([None, "left", "right"]),
}
commands = st.one_of(
    st.none(),
    st.sampled_from(list(Intent)).flatmap(
        lambda i: TARGETS.get(i, st.none()).map(lambda target: Command(i, target))
    ),
)
actions = st.lists(
    st.one_of(
        st.tuples(st.just("heard"), commands),
        st.tuples(st.just("silent"), st.integers(-2, 0)),
        st.tuples(st.just("timer"), st.floats(0, 5)),
        st.tuples(st.just("wait"), st.floats(0, 120)),
        st.tuples(st.just("no-input"), st.none()),
    ),
    max_size=60,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    actions=actions,
    variant=st.sampled_from(["standard", "quick"]),
    saved=st.booleans(),
    auto=st.booleans(),
    stay=st.booleans(),
)
def test_random_sequences_never_crash_or_leave_the_plan(
    routine, prompts, actions, variant, saved, auto, stay
):
    plan = Plan(routine, variant)
    progress = Progress("foot-massage", variant, "arch-rubs", "left") if saved else None
    session = Session(plan, prompts, saved=progress, auto_advance=auto, stay=stay)
    t, last_say, timer, ended = 0.0, 0, None, False
    effects = session.handle(Start(t))
    for kind, value in actions:
        for effect in effects:
            if isinstance(effect, Say):
                last_say = effect.utterance
            elif isinstance(effect, SetTimer):
                assert effect.at >= t - 1e-9
                timer = effect.at
            elif isinstance(effect, End):
                assert effect.reason in {"finished", "quit", "safety", "no-input"}
                assert not (stay and effect.reason == "finished")
                ended = True
            elif isinstance(effect, Save) and effect.progress:
                assert plan.find(effect.progress.step, effect.progress.side) is not None
        assert 0 <= session.stop_index < len(plan)
        assert session.hold.remaining(t) >= 0
        if ended:
            assert session.mode is Mode.ENDED
            assert session.handle(TimerDone(t)) == []
            return
        match kind:
            case "heard":
                effects = session.handle(Heard(t, "", value))
            case "silent":
                effects = session.handle(SpeechDone(t, last_say + value))
            case "timer":
                t = max(t, timer if timer is not None else t) + value
                effects = session.handle(TimerDone(t))
            case "wait":
                t += value
                effects = session.handle(TimerDone(t))
            case _:
                effects = session.handle(NoInput(t))
