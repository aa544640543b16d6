"""Finding the person over the coach's voice by level, on the raw and the cancelled signal."""

from __future__ import annotations

from voice_coach.listening.over_coach import MAX_BARGE_IN_SECONDS, OverCoach, Stretch

FRAME = 0.03
PLAYED = 0.1
ECHO = 0.05  # the coach's voice comes back at half what it played
LEFT = 0.001  # what the canceller leaves of it


def run(frames: list[tuple[float, float | None]]) -> list[Stretch]:
    """Feed (raw, cancelled) levels, one frame each, while the coach plays; the stretches."""
    over = OverCoach(FRAME)
    found = []
    for i, (raw, cancelled) in enumerate(frames):
        stretch = over.frame(raw, cancelled, PLAYED, i * FRAME, (i + 1) * FRAME)
        if stretch is not None:
            found.append(stretch)
    return found


def test_a_person_as_loud_as_the_echo_is_found_once_it_is_cancelled():
    learnt = [(ECHO, LEFT)] * 100  # three seconds of the coach alone
    word = [(ECHO * 1.4, 0.05)] * 15  # "stop", as loud as the echo: the sum is 3 dB up
    after = [(ECHO, LEFT)] * 20
    [stretch] = run(learnt + word + after)
    assert abs(stretch.start - 3.0) < 1e-6 and abs(stretch.end - 3.45) < 1e-6
    assert stretch.cancelled_only  # the listener checks it is not the coach's own voice


def test_without_the_cancelled_signal_only_a_louder_person_is_found():
    learnt = [(ECHO, None)] * 100
    assert run(learnt + [(ECHO * 1.4, None)] * 15 + [(ECHO, None)] * 20) == []
    [stretch] = run(learnt + [(ECHO * 3, None)] * 15 + [(ECHO, None)] * 20)
    assert not stretch.cancelled_only


def test_the_coach_growing_louder_is_learnt_not_taken_for_a_person():
    # Asked to speak up, the coach's echo triples for good: it stands out only until it has
    # lasted longer than anything said over the coach (which the listener then ignores).
    [stretch] = run([(ECHO, None)] * 100 + [(ECHO * 3, None)] * 200)
    assert abs(stretch.start - 3.0) < 1e-6
    assert MAX_BARGE_IN_SECONDS < stretch.end - stretch.start < MAX_BARGE_IN_SECONDS + 0.1
