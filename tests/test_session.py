"""The session state machine: every intent in every kind of state, and the rules of a routine."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.session_driver import Driver, ended, said, steps
from voice_coach.core.commands import Intent
from voice_coach.core.events import CancelTimer, DeviceBack, DeviceLost, Save, SetVoice, Silence
from voice_coach.core.progress import Progress
from voice_coach.core.session import EXTRA_TIME, Mode, Phase, Session


def fresh(plan, prompts, **kwargs) -> Driver:
    driver = Driver(Session(plan, prompts, **kwargs))
    driver.start()
    driver.silent()
    return driver


def in_intro(plan, prompts, **kwargs) -> Driver:
    driver = fresh(plan, prompts, **kwargs)
    for _ in range(3):
        driver.hear(Intent.NO)
        driver.silent()
    # Go to a technique on the right foot: step 2, arch rubs, still speaking its how-to.
    driver.hear(Intent.GOTO, 2)
    return driver


def in_hold(plan, prompts, **kwargs) -> Driver:
    driver = in_intro(plan, prompts, **kwargs)
    driver.silent()
    driver.wait(10)
    return driver


def waiting(plan, prompts) -> Driver:
    driver = in_hold(plan, prompts, auto_advance=False)
    driver.wait(200)
    return driver


def paused(plan, prompts) -> Driver:
    driver = in_hold(plan, prompts)
    driver.hear(Intent.PAUSE)
    return driver


def confirm_quit(plan, prompts) -> Driver:
    driver = in_hold(plan, prompts)
    driver.hear(Intent.QUIT)
    driver.silent()
    return driver


def confirm_restart(plan, prompts) -> Driver:
    driver = in_hold(plan, prompts)
    driver.hear(Intent.RESTART)
    driver.silent()
    return driver


def resume_prompt(plan, prompts) -> Driver:
    saved = Progress("foot-massage", "standard", "toe-bends", "left", ("achilles",))
    driver = Driver(Session(plan, prompts, saved=saved))
    driver.start()
    driver.silent()
    return driver


def question_paused(plan, prompts) -> Driver:
    driver = fresh(plan, prompts)
    driver.hear(Intent.PAUSE)
    return driver


STATES: dict[str, Callable[..., Driver]] = {
    "question": fresh,
    "question-paused": question_paused,
    "intro": in_intro,
    "hold": in_hold,
    "waiting": waiting,
    "paused": paused,
    "confirm-quit": confirm_quit,
    "confirm-restart": confirm_restart,
    "resume-prompt": resume_prompt,
}
SAMPLES: list[tuple[Intent | None, object]] = [(i, None) for i in Intent if i is not Intent.GOTO]
SAMPLES += [(Intent.GOTO, 3), (Intent.GOTO, "thumb-work"), (Intent.GOTO, 99),
            (Intent.SWITCH_FOOT, "left"), (None, None)]  # fmt: skip


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize(("intent", "target"), SAMPLES, ids=lambda v: str(v))
def test_every_intent_in_every_state_is_answered_and_keeps_the_session_sound(
    plan, prompts, state, intent, target
):
    driver = STATES[state](plan, prompts)
    effects = driver.hear(intent, target)
    session = driver.session
    assert 0 <= session.stop_index < len(plan)
    reason = ended(effects)
    if reason is None:
        # A person always gets an answer (or silence, when they asked for it).
        assert said(effects) or any(isinstance(e, Silence) for e in effects)
        assert session.mode is not Mode.ENDED
    else:
        assert reason in {"quit", "safety", "finished"}
        assert session.mode is Mode.ENDED
        assert driver.hear(Intent.NEXT) == []
    EXPECT.get((state, intent), lambda d, e: None)(driver, effects)


def _asks_again(driver: Driver, effects) -> None:
    assert driver.session._asking is not None
    assert driver.session._asking in said(effects)


EXPECT: dict[tuple[str, Intent | None], Callable[[Driver, list], None]] = {
    ("question", Intent.YES): lambda d, e: ended(e) == "safety" or pytest.fail("no safety end"),
    ("question", Intent.NO): lambda d, e: d.session.question == 1 or pytest.fail("no advance"),
    ("question", Intent.NEXT): lambda d, e: d.session.question == 0 or pytest.fail("skipped"),
    ("question", Intent.SKIP): lambda d, e: d.session.question == 0 or pytest.fail("skipped"),
    ("question", None): _asks_again,
    ("question", Intent.REPEAT): _asks_again,
    ("question-paused", Intent.RESUME): _asks_again,
    ("question-paused", Intent.NO): lambda d, e: (d.session.question == 1 and not d.session.paused)
    or pytest.fail(),
    ("question-paused", None): lambda d, e: d.session.paused or pytest.fail(),
    ("hold", Intent.NEXT): lambda d, e: steps(e) == [("toe-bends", "right")] or pytest.fail(e),
    ("hold", Intent.BACK): lambda d, e: steps(e) == [("warmup-twists", "right")] or pytest.fail(e),
    ("hold", Intent.REPEAT): lambda d, e: (steps(e) == [] and any(
        d.session.plan.routine.step("arch-rubs").say == s for s in said(e))) or pytest.fail(e),
    ("hold", Intent.PAUSE): lambda d, e: d.session.paused or pytest.fail("not paused"),
    ("hold", Intent.STOP): lambda d, e: (d.session.paused and isinstance(e[0], Silence))
    or pytest.fail(e),
    ("hold", Intent.GOTO): lambda d, e: d.session.stop.step.id in ("toe-bends", "thumb-work",
                                                                    "arch-rubs") or pytest.fail(),
    ("hold", Intent.SWITCH_FOOT): lambda d, e: steps(e) == [("arch-rubs", "left")]
    or pytest.fail(e),
    ("hold", Intent.MORE_TIME): lambda d, e: d.session.hold.length == 40 + EXTRA_TIME
    or pytest.fail(d.session.hold),
    ("hold", Intent.SLOWER): lambda d, e: SetVoice(-1, 0) in e or pytest.fail(e),
    ("hold", Intent.LOUDER): lambda d, e: SetVoice(0, 1) in e or pytest.fail(e),
    ("hold", Intent.QUIT): lambda d, e: d.session.confirm is Intent.QUIT or pytest.fail(),
    ("hold", None): lambda d, e: "did not catch" in said(e)[0] or pytest.fail(e),
    ("waiting", Intent.NEXT): lambda d, e: steps(e) == [("toe-bends", "right")] or pytest.fail(e),
    ("waiting", Intent.MORE_TIME): lambda d, e: d.session.phase is Phase.HOLD or pytest.fail(),
    ("paused", Intent.RESUME): lambda d, e: (not d.session.paused and d.session.hold.running)
    or pytest.fail(),
    ("paused", Intent.STOP): lambda d, e: d.session.confirm is Intent.QUIT or pytest.fail(),
    ("paused", Intent.NEXT): lambda d, e: (not d.session.paused and steps(e)) or pytest.fail(),
    ("paused", Intent.PAUSE): lambda d, e: d.session.paused or pytest.fail(),
    ("confirm-quit", Intent.YES): lambda d, e: (ended(e) == "quit" and any(
        isinstance(x, Save) and x.progress for x in e)) or pytest.fail(e),
    ("confirm-quit", Intent.NO): lambda d, e: (d.session.hold.running and not d.session.paused)
    or pytest.fail(),
    ("confirm-quit", Intent.NEXT): _asks_again,
    ("confirm-quit", None): _asks_again,
    ("confirm-restart", Intent.YES): lambda d, e: steps(e) == [("soak", None)] or pytest.fail(e),
    ("resume-prompt", Intent.RESUME): lambda d, e: steps(e) == [("toe-bends", "left")]
    or pytest.fail(e),
    ("resume-prompt", Intent.RESTART): lambda d, e: (d.session.mode is Mode.SAFETY and said(e)[0]
    == d.session.plan.routine.welcome) or pytest.fail(e),
}  # fmt: skip


def test_pause_freezes_the_hold_and_resume_carries_on(plan, prompts):
    driver = in_hold(plan, prompts)
    before = driver.session.hold.remaining(driver.t)
    driver.hear(Intent.PAUSE)
    assert driver.timer is None
    driver.wait(600)
    assert driver.session.hold.remaining(driver.t) == before
    assert steps(driver.effects[-3:]) == []
    driver.hear(Intent.RESUME)
    assert driver.timer == pytest.approx(driver.t + min(20 - 10, before))  # next: tip at 20 s
    effects = driver.wait(before + 1)
    assert steps(effects) == [("toe-bends", "right")]


def test_a_lost_device_pauses_and_its_return_carries_on(plan, prompts):
    driver = in_hold(plan, prompts)
    before = driver.session.hold.remaining(driver.t)
    said_now = said(driver.send(DeviceLost(driver.t, "microphone")))
    assert said_now == [prompts.say("microphone_lost")]
    assert driver.session.paused and driver.timer is None
    driver.wait(60)
    assert said(driver.send(DeviceBack(driver.t, "microphone"))) == [prompts.say("device_back")]
    assert not driver.session.paused
    assert driver.session.hold.remaining(driver.t) == before


@pytest.mark.parametrize("paused_first", [True, False])
def test_a_pause_the_person_asked_for_outlasts_a_lost_device(plan, prompts, paused_first):
    driver = in_hold(plan, prompts)
    before = driver.session.hold.remaining(driver.t)
    if paused_first:
        driver.hear(Intent.PAUSE)
        driver.send(DeviceLost(driver.t, "speaker"))
    else:
        driver.send(DeviceLost(driver.t, "speaker"))
        driver.hear(Intent.PAUSE)
    driver.wait(60)
    back = said(driver.send(DeviceBack(driver.t, "speaker")))
    assert back == [prompts.say("device_back_paused")]
    assert driver.session.paused and driver.timer is None
    driver.wait(60)
    assert driver.session.hold.remaining(driver.t) == before
    driver.hear(Intent.RESUME)
    assert not driver.session.paused and driver.timer is not None


def test_hold_cues_then_auto_advance(plan, prompts):
    driver = in_intro(plan, prompts)
    driver.silent()
    effects = driver.wait(40)
    texts = said(effects)
    assert "Found a sore spot" in texts[0]
    assert texts[1] == "Good."
    assert steps(effects) == [("toe-bends", "right")]


def test_second_foot_gets_the_reminder_and_repeat_gives_the_full_how_to(plan, prompts):
    driver = in_hold(plan, prompts)
    effects = driver.hear(Intent.SWITCH_FOOT)
    step = plan.routine.step("arch-rubs")
    assert step.reminder in said(effects) and step.say not in said(effects)
    driver.silent()
    assert step.say in said(driver.hear(Intent.REPEAT))


def test_stop_silences_at_once_and_a_second_stop_asks_to_end(plan, prompts):
    driver = in_intro(plan, prompts)
    first = driver.hear(Intent.STOP)
    assert isinstance(first[0], Silence) and said(first) == ["Paused."]
    second = driver.hear(Intent.STOP)
    assert "end the session" in said(second)[-1]
    driver.silent()
    assert ended(driver.hear(Intent.YES)) == "quit"


def test_paused_during_the_how_to_repeats_it_on_resume(plan, prompts):
    driver = in_intro(plan, prompts)
    driver.hear(Intent.PAUSE)
    driver.silent()  # the cut-off speech reports silence: the hold must not start
    assert driver.session.phase is Phase.INTRO
    effects = driver.hear(Intent.RESUME)
    assert plan.routine.step("arch-rubs").say in said(effects)


def test_silence_at_a_question_asks_again_then_waits_without_counting_as_no(plan, prompts):
    driver = fresh(plan, prompts)
    first = driver.wait(13)
    assert said(first)[-1] == plan.routine.safety[0].question
    driver.silent()
    second = driver.wait(13)
    assert "wait" in said(second)[-1].lower()
    assert driver.timer is None
    assert driver.session.question == 0 and driver.session.mode is Mode.SAFETY
    assert ended(driver.no_input()) == "no-input"


def test_back_on_the_first_step_says_so(plan, prompts):
    driver = fresh(plan, prompts)
    for _ in range(3):
        driver.hear(Intent.NO)
    effects = driver.hear(Intent.BACK)
    assert "first step" in said(effects)[0]
    assert driver.session.stop.step.id == "soak"


def test_next_on_the_last_step_finishes(plan, prompts):
    driver = in_hold(plan, prompts)
    driver.hear(Intent.SWITCH_FOOT, "left")
    driver.hear(Intent.GOTO, 12)
    effects = driver.hear(Intent.NEXT)
    assert ended(effects) == "finished"
    assert said(effects)[-1] == plan.routine.closing
    assert Save(None) in effects


def finished_staying(plan, prompts) -> tuple[Driver, list]:
    driver = in_hold(plan, prompts, stay=True)
    driver.hear(Intent.SWITCH_FOOT, "left")
    driver.hear(Intent.GOTO, 12)
    return driver, driver.hear(Intent.NEXT)


def test_staying_on_the_end_of_the_routine_waits_for_start(plan, prompts):
    driver, effects = finished_staying(plan, prompts)
    assert ended(effects) is None and driver.session.mode is Mode.IDLE
    assert said(effects)[-2:] == [plan.routine.closing, prompts.say("idle")]
    assert Save(None) in effects  # nothing left to resume after a restart of the coach
    listening = driver.session.listening()
    assert {Intent.RESUME, Intent.QUIT, Intent.HELP} <= listening
    assert Intent.PAUSE not in listening and Intent.GOTO not in listening
    driver.silent()
    # Nothing happens by itself, however long the room stays quiet.
    assert driver.timer is None and driver.wait(3600) == []


def test_start_after_the_end_begins_the_routine_again(plan, prompts):
    driver, _ = finished_staying(plan, prompts)
    effects = driver.hear(Intent.RESUME)
    assert said(effects)[:2] == [plan.routine.welcome, plan.routine.safety[0].question]
    assert driver.session.mode is Mode.SAFETY
    for _ in range(3):
        driver.silent()
        effects = driver.hear(Intent.NO)
    assert steps(effects) == [(plan.stops[0].step.id, plan.stops[0].side_id)]
    assert driver.session.omitted == set()


def test_chatter_help_and_quit_after_the_end(plan, prompts):
    driver, _ = finished_staying(plan, prompts)
    assert said(driver.hear(None)) == [prompts.say("idle")]
    assert said(driver.hear(Intent.HELP)) == [prompts.say("help_idle")]
    assert driver.hear(Intent.GOTO, 3) == [CancelTimer()]
    effects = driver.hear(Intent.QUIT)
    assert said(effects) == [prompts.say("goodbye")]
    assert ended(effects) == "quit"
    assert not any(isinstance(e, Save) for e in effects)


def test_a_lost_microphone_after_the_end_is_said_and_its_return_too(plan, prompts):
    driver, _ = finished_staying(plan, prompts)
    assert said(driver.send(DeviceLost(driver.t, "microphone"))) == [prompts.say("microphone_lost")]
    assert said(driver.send(DeviceBack(driver.t, "microphone"))) == [prompts.say("idle")]
    assert driver.session.mode is Mode.IDLE and not driver.session.paused


def test_goto_an_omitted_step_is_refused(plan, prompts):
    driver = fresh(plan, prompts)
    driver.hear(Intent.NO)
    driver.hear(Intent.NO)
    driver.hear(Intent.YES)  # pregnancy: the Achilles massage is left out
    effects = driver.hear(Intent.GOTO, "achilles")
    assert said(effects) == [prompts.say("skipped_step")]
    driver.hear(Intent.GOTO, 8)
    assert steps(driver.hear(Intent.NEXT)) == [("side-circles", "right")]


def test_voice_changes_stop_at_their_bounds(plan, prompts):
    driver = in_hold(plan, prompts)
    for _ in range(10):
        effects = driver.hear(Intent.FASTER)
    assert driver.session.rate == 4
    assert said(effects) == [prompts.say("fastest")]


def test_status_tells_the_step_the_time_left_in_the_hold_and_overall(plan, prompts):
    driver = in_hold(plan, prompts)
    text = said(driver.hear(Intent.STATUS))[0]
    assert "step 2 of 12, Arch rubs, right foot" in text
    assert "30 seconds left" in text
    assert "minutes to go" in text


def test_no_to_ending_a_stopped_session_says_it_is_still_paused(plan, prompts):
    driver = in_hold(plan, prompts)
    driver.hear(Intent.STOP)
    driver.hear(Intent.STOP)
    driver.silent()
    assert said(driver.hear(Intent.NO)) == [
        "Okay. We are still paused. Say resume when you are ready."
    ]
    assert driver.session.paused


def test_other_foot_names_the_foot_before_the_step_begins_on_it(plan, prompts):
    driver = in_hold(plan, prompts)
    foot = driver.session.stop.side_id
    out = driver.hear(Intent.SWITCH_FOOT)
    other = "left" if foot == "right" else "right"
    assert isinstance(out[0], Silence)
    assert said(out)[0] == f"Switching to your {other} foot."
    assert steps(out)[0][1] == other
