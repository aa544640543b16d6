"""The shipped foot massage, and routine files with mistakes in them."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import TECHNIQUES
from voice_coach.app.catalog import shipped_dir
from voice_coach.core.errors import DataFileError
from voice_coach.core.plan import Plan
from voice_coach.core.routine import load_routine

SHIPPED = (shipped_dir() / "foot-massage.toml").read_text()


def test_the_foot_massage_has_the_twelve_techniques_in_order_on_both_feet(routine, plan):
    assert [s.id for s in routine.steps if s.per_side] == TECHNIQUES
    assert [s.id for s in routine.sides] == ["right", "left"]
    assert [(s.step.id, s.side_id) for s in plan.stops if s.side] == [
        (t, side) for side in ("right", "left") for t in TECHNIQUES
    ]
    assert all(step.reminder and step.hold > 0 for step in routine.steps if step.per_side)


def test_the_welcome_says_how_to_steer(routine):
    for word in ("next", "back", "repeat", "pause", "help"):
        assert word in routine.welcome.lower()


def test_three_safety_questions_where_yes_means_a_problem(routine):
    skin, sensitive, circulation = routine.safety
    assert all(w in skin.question.lower() for w in ("cuts", "bandages", "athlete"))
    assert "neuropathy" in sensitive.question.lower()
    assert "pregnant" in circulation.question.lower() and "clots" in circulation.question
    assert [q.if_yes for q in routine.safety] == ["end", "end", "omit"]
    assert circulation.omit == ("achilles",)


def test_preparation_covers_soak_dry_towel_and_oil(routine):
    preparation = [s for s in routine.steps if not s.per_side]
    text = " ".join(s.say.lower() for s in preparation)
    for words in ("warm water", "pat", "towel", "oil", "ankle"):
        assert words in text
    assert [s.id for s in preparation] == ["soak", "pat-dry", "towel", "oil"]


def test_the_articles_tips_are_cues_during_holds(routine):
    cues = " ".join(cue.say.lower() for step in routine.steps for cue in step.cues)
    for tip in ("sore", "body weight", "tickle", "thumbs"):
        assert tip in cues


def test_the_script_is_written_for_the_ear(routine):
    for step in routine.steps:
        sentences = [s for s in step.say.replace("?", ".").split(".") if s.strip()]
        assert max(len(s.split()) for s in sentences) <= 16, step.id


def test_check_accepts_the_shipped_routine():
    done = subprocess.run([sys.executable, "-m", "voice_coach", "check",
                           str(shipped_dir() / "foot-massage.toml")],
                          capture_output=True, text=True, check=False)  # fmt: skip
    assert done.returncode == 0
    assert "ok" in done.stdout and "12 per side x 2 sides" in done.stdout
    assert len(done.stdout.splitlines()) == 1


def _line_of(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if needle in line)


BROKEN = [
    # (what is wrong, (old text, new text), text that starts the line to name, words in the message)
    ("a misspelt key", ('hold = 40\ncues = [{ at = 20, say = "Lean', 'hodl = 40\ncues = [{ at = 20, say = "Lean'), "hodl = 40", "unknown key 'hodl' (did you mean 'hold'?)"),
    ("a syntax error", ('title = "Toe bends"', 'title = "Toe bends'), 'title = "Toe bends', "not valid TOML"),
    ("a wrong type", ('hold = 30\n\n[[steps]]\nid = "towel"', 'hold = "thirty"\n\n[[steps]]\nid = "towel"'), 'hold = "thirty"', "'hold' must be a number"),
    ("a cue after the hold", ('at = 25, say = "Does', 'at = 99, say = "Does'), "cues = [{ at = 99", "cue at 99 s is outside the hold"),
    ("an unknown step in a variant", ('"towel", "oil",', '"towel", "oyl",'), '    "towel", "oyl",', "no step with id 'oyl' (did you mean 'oil'?)"),
    ("a duplicate id", ('id = "toe-bends"', 'id = "arch-rubs"'), 'id = "arch-rubs"\ntitle = "Toe', "used twice"),
    ("a bad if_yes", ('if_yes = "omit"', 'if_yes = "skip"'), 'if_yes = "skip"', "'if_yes' must be"),
    ("a missing key", ('title = "Foot spread"\n', ""), '[[steps]]\nid = "foot-spread"', "missing required key 'title'"),
]  # fmt: skip


@pytest.mark.parametrize(("what", "change", "at", "message"), BROKEN, ids=[b[0] for b in BROKEN])
def test_mistakes_are_reported_with_file_and_line(tmp_path, what, change, at, message):
    old, new = change
    assert old in SHIPPED
    text = SHIPPED.replace(old, new, 1)
    path = tmp_path / "mine.toml"
    path.write_text(text)
    with pytest.raises(DataFileError) as caught:
        load_routine(path)
    line = text[: text.index(at)].count("\n") + 1
    assert str(caught.value).startswith(f"{path}:{line}: "), str(caught.value)
    assert message in str(caught.value)


def test_check_prints_file_and_line_and_exits_2(tmp_path):
    path = tmp_path / "typo.toml"
    path.write_text(SHIPPED.replace("per_side = true", "per_sdie = true", 1))
    done = subprocess.run([sys.executable, "-m", "voice_coach", "check", str(path)],
                          capture_output=True, text=True, check=False)  # fmt: skip
    assert done.returncode == 2
    line = _line_of(path.read_text(), "per_sdie")
    assert done.stderr.startswith(f"{path}:{line}: unknown key 'per_sdie'")
    assert done.stdout == ""


def test_a_missing_file_is_named(tmp_path):
    with pytest.raises(DataFileError, match="no such file"):
        load_routine(tmp_path / "nope.toml")


def test_quick_variant_is_a_subset_with_shorter_holds(routine):
    quick, standard = Plan(routine, "quick"), Plan(routine)
    assert {s.step.id for s in quick.stops} < {s.step.id for s in standard.stops}
    assert all(s.hold < routine.step(s.step.id).hold for s in quick.stops)
