"""Whole sessions through the real command line, text in and out, on the virtual clock."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import TECHNIQUES, run_coach


def test_no_no_no_runs_every_technique_on_both_feet_then_finishes(xdg, tmp_path: Path):
    run = run_coach(xdg, ["no", "no", "no"], tmp=tmp_path)
    assert run.returncode == 0, run.stderr
    techniques = [step for step in run.steps if step[0] in TECHNIQUES]
    assert techniques == [(t, "right") for t in TECHNIQUES] + [(t, "left") for t in TECHNIQUES]
    preparation = [step for step, foot in run.steps if foot is None]
    assert preparation == ["soak", "pat-dry", "towel", "oil"]
    assert run.of("end") == [run.events[-1]] and run.end == "finished"
    assert 20 * 60 <= run.events[-1]["t"] <= 25 * 60
    # What is printed is what is said, one line per utterance.
    assert run.stdout.splitlines() == [e["text"] for e in run.of("say")]


def test_quick_variant_lasts_six_to_eight_minutes(xdg, tmp_path: Path):
    run = run_coach(xdg, ["no", "no", "no"], "--quick", tmp=tmp_path)
    assert run.end == "finished"
    assert 6 * 60 <= run.events[-1]["t"] <= 8 * 60
    assert [s for s, foot in run.steps if foot == "left"] == [
        s for s, foot in run.steps if foot == "right"
    ]


def test_yes_to_the_skin_question_ends_for_safety_before_any_technique(xdg, tmp_path: Path):
    run = run_coach(xdg, ["yes"], tmp=tmp_path)
    assert run.end == "safety"
    assert run.steps == []
    assert any("heal" in e["text"] for e in run.of("say"))


def test_yes_to_the_sensitivity_question_ends_for_safety(xdg, tmp_path: Path):
    run = run_coach(xdg, ["no", "yes"], tmp=tmp_path)
    assert run.end == "safety" and run.steps == []


def test_yes_to_pregnancy_leaves_out_the_achilles_massage_and_says_so(xdg, tmp_path: Path):
    run = run_coach(xdg, ["no", "no", "yes"], tmp=tmp_path)
    assert run.end == "finished"
    done = [step for step, _ in run.steps]
    assert "achilles" not in done
    assert [s for s in TECHNIQUES if s != "achilles"] == [s for s, f in run.steps if f == "right"]
    assert any("Achilles" in e["text"] for e in run.of("say") if e["t"] < run.of("step")[0]["t"])


def test_silence_or_nonsense_never_counts_as_no(xdg, tmp_path: Path):
    run = run_coach(xdg, ["banana", "+60"], tmp=tmp_path)
    assert run.steps == []
    assert run.end == "no-input"
    question = "Do you have any cuts, bandages, or athlete's foot on your feet?"
    assert [e["text"] for e in run.of("say")].count(question) >= 3


def test_quitting_then_running_again_resumes_at_the_same_technique_and_foot(xdg, tmp_path: Path):
    lines = ["no", "no", "no", "step 3", "other foot", "+5 quit", "yes"]
    first = run_coach(xdg, lines, tmp=tmp_path)
    assert first.end == "quit"
    assert first.steps[-1] == ("toe-bends", "left")

    second = run_coach(xdg, ["resume"], tmp=tmp_path)
    assert second.steps[0] == ("toe-bends", "left")
    assert second.end == "finished"
    assert second.steps[-1] == ("finishing-strokes", "left")
    assert "toe bends, left foot" in second.of("say")[0]["text"].lower()


def test_start_over_at_the_resume_question_begins_again_with_safety(xdg, tmp_path: Path):
    run_coach(xdg, ["no", "no", "no", "step 5", "quit", "yes"], tmp=tmp_path)
    again = run_coach(xdg, ["start over", "yes"], tmp=tmp_path)
    assert again.end == "safety"
    assert again.steps == []


def test_no_input_ends_with_progress_saved(xdg, tmp_path: Path):
    run = run_coach(xdg, ["no", "no", "no", "next", "next", "+1 next"], "--no-auto-advance",
                    tmp=tmp_path)  # fmt: skip
    assert run.end == "no-input"
    assert run.steps[-1] == ("oil", None)
    resumed = run_coach(xdg, ["resume"], "--no-auto-advance", tmp=tmp_path)
    assert resumed.steps[0] == ("oil", None)


def test_without_auto_advance_a_finished_hold_waits_for_next(xdg, tmp_path: Path):
    run = run_coach(xdg, ["no", "no", "no", "+200 next"], "--no-auto-advance", tmp=tmp_path)
    soak, pat_dry = run.of("step")[:2]
    assert pat_dry["t"] - soak["t"] > 200
    assert any(e["text"] == "Say next when you are ready." for e in run.of("say"))


def test_unrecognised_phrases_get_a_hint_and_the_session_carries_on(xdg, tmp_path: Path):
    run = run_coach(xdg, ["no", "no", "no", "what a lovely day", "xyzzy"], tmp=tmp_path)
    assert run.end == "finished"
    heard = run.of("heard")
    assert [h["intent"] for h in heard[-2:]] == [None, None]
    assert sum("did not catch that" in e["text"] for e in run.of("say")) == 2


def test_heard_events_carry_text_and_intent(xdg, tmp_path: Path):
    run = run_coach(xdg, ["no", "no", "no", "go to arch rubs", "how long left"], tmp=tmp_path)
    heard = run.of("heard")
    t = heard[3]["t"]
    assert heard[3] == {"t": t, "event": "heard", "text": "go to arch rubs",
                        "intent": "goto:arch-rubs", "confidence": 1.0, "start": t, "end": t}  # fmt: skip
    assert heard[4]["intent"] == "status"
    assert run.steps[:2] == [("soak", None), ("arch-rubs", "right")]


def test_staying_on_the_coach_begins_again_on_start_and_quits_without_a_place(xdg, tmp_path: Path):
    first = run_coach(xdg, ["no", "no", "no"], "--quick", tmp=tmp_path)
    run = run_coach(xdg, ["no", "no", "no", "+600", "help", "start", "no", "no", "no", "+20"],
                    "--quick", "--stay", tmp=tmp_path)  # fmt: skip
    assert run.returncode == 0, run.stderr
    said = [e["text"] for e in run.of("say")]
    closing = said.index(first.of("say")[-1]["text"])
    assert said[closing + 1 : closing + 3] == [
        "I am here when you want to go again. Just say start.",
        "Say start to begin again from the top, or quit to stop listening.",
    ]
    assert said[closing + 3] == said[0]  # the welcome again
    assert run.steps[: len(first.steps)] == first.steps
    assert run.steps[len(first.steps)] == first.steps[0]
    assert run.end == "no-input"  # the typed lines ran out in the second round

    lines = ["no", "no", "no", "+600", "quit"]
    quit_run = run_coach(xdg, lines, "--quick", "--stay", "--fresh", tmp=tmp_path)
    assert quit_run.end == "quit" and quit_run.of("say")[-1]["text"] == "Goodbye."
    # Quitting while idle keeps no place: the next run starts afresh.
    after = run_coach(xdg, [], "--quick", tmp=tmp_path)
    assert after.of("say")[0]["text"] == said[0]
