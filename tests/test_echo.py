"""The echo canceller (speexdsp through ctypes) on the listener's frames, with the coach's
playback log as its reference: a real voice, a simulated room."""

from __future__ import annotations

import numpy as np
import pytest

from tests.listening_helpers import quiet
from voice_coach.audio.pcm import SAMPLE_RATE
from voice_coach.core.playback import PlaybackLog
from voice_coach.listening.echo import EchoCanceller
from voice_coach.speaking.tts.espeak import EspeakVoice

FRAME = 480  # the listener's 30 ms


def level(samples: np.ndarray) -> float:
    return 10 * np.log10(np.mean(samples.astype(np.float64) ** 2) + 1.0)


def played_and_heard(delay: float, gain_db: float, rate: int = SAMPLE_RATE, burst: int = 1,
                     slip: float = 0.0):  # fmt: skip
    """The coach's voice logged as played (at ``rate``) from 0.5 s, and a microphone hearing
    it ``delay`` later and ``gain_db`` quieter. A sound card may log its blocks in bursts of
    ``burst``, all stamped alike, and its sound server may fall ``slip`` seconds behind half
    way through (an underrun: silence, then the rest later)."""
    voice = EspeakVoice("gmw/en-us")
    try:
        speech = voice.synthesize("Place your palms on either side of the foot. Twist gently, "
                                  "from the ankle to the toes, and back again. Keep twisting, "
                                  "and work your hands along the foot.")  # fmt: skip
    finally:
        voice.close()
    playback = PlaybackLog(audible=True)
    out = speech.resampled(rate).samples
    block = rate // 100
    for i in range(len(out) // block):
        start = 0.5 + (i - i % burst) / 100
        chunk = out[i * block : (i + 1) * block]
        playback.played(start, start + 0.01, float(np.sqrt(np.mean(chunk**2))),
                        chunk.astype("<f4").tobytes(), rate)  # fmt: skip
    echo = speech.resampled(SAMPLE_RATE).samples * 32767 * 10 ** (gain_db / 20)
    half = len(echo) // 2
    echo = np.concatenate([echo[:half], np.zeros(round(slip * SAMPLE_RATE)), echo[half:]])
    room = np.frombuffer(quiet(0.5 + delay + slip + speech.seconds + 1.0), "<i2").astype(float)
    first = round((0.5 + delay) * SAMPLE_RATE)
    room[first : first + len(echo)] += echo
    return playback, room, first, first + len(echo)


def cancelled(playback: PlaybackLog, room: np.ndarray) -> np.ndarray:
    canceller = EchoCanceller(playback)
    frames = len(room) // FRAME
    out = [np.frombuffer(canceller.clean(room[i * FRAME : (i + 1) * FRAME].astype("<i2").tobytes(),
                                         (i + 1) * FRAME / SAMPLE_RATE), "<i2")
           for i in range(frames)]  # fmt: skip
    canceller.close()
    return np.concatenate(out).astype(np.float64)


def test_the_coach_s_voice_is_taken_out_of_the_microphone():
    playback, room, begin, end = played_and_heard(delay=0.04, gain_db=-6)
    out = cancelled(playback, room)
    settled = slice(begin + 2 * SAMPLE_RATE, end)  # the filter has learnt the room by then
    assert level(room[settled]) - level(out[settled]) > 12  # dB of echo taken out (16 when written)


def test_the_reference_may_come_at_the_sound_card_s_rate_and_late():
    # Logged at 48 kHz, heard 100 ms after its time stamp.
    playback, room, begin, end = played_and_heard(delay=0.1, gain_db=0, rate=48000)
    out = cancelled(playback, room)
    settled = slice(begin + 2 * SAMPLE_RATE, end)
    assert level(room[settled]) - level(out[settled]) > 12


@pytest.mark.parametrize("delay", [0.4, -0.1])
def test_the_echo_is_found_however_far_from_its_time_stamp(delay: float):
    # Device latencies are estimates: the echo may come long after, or even before, its stamp.
    playback, room, begin, end = played_and_heard(delay=delay, gain_db=-6)
    out = cancelled(playback, room)
    settled = slice(begin + 2 * SAMPLE_RATE, end)
    assert level(room[settled]) - level(out[settled]) > 12


def test_blocks_stamped_in_bursts_still_make_one_seamless_reference():
    # A sound card pulls five 10 ms blocks at once: their stamps say they all play together.
    playback, room, begin, end = played_and_heard(delay=0.04, gain_db=-6, burst=5)
    out = cancelled(playback, room)
    settled = slice(begin + 2 * SAMPLE_RATE, end)
    assert level(room[settled]) - level(out[settled]) > 12


def test_an_echo_that_falls_behind_is_followed():
    # Half way, the sound server runs dry for 150 ms: everything after is heard that much later.
    playback, room, _, end = played_and_heard(delay=0.04, gain_db=-6, slip=0.15)
    out = cancelled(playback, room)
    last = slice(end - SAMPLE_RATE, end)
    assert level(room[last]) - level(out[last]) > 10


def test_a_person_talking_over_the_coach_is_kept():
    playback, room, begin, _ = played_and_heard(delay=0.04, gain_db=0)
    voice = EspeakVoice("gmw/en-gb-x-rp")
    try:
        person = voice.synthesize("Stop!").resampled(SAMPLE_RATE).samples * 32767
    finally:
        voice.close()
    at = begin + 3 * SAMPLE_RATE
    with_person = room.copy()
    with_person[at : at + len(person)] += person
    spoken = slice(at, at + len(person))
    difference = cancelled(playback, with_person)[spoken] - cancelled(playback, room)[spoken]
    # What is left of the person: most of their voice, though the coach talked as loud.
    assert level(difference) > level(person) - 6


def test_with_nothing_played_the_microphone_passes_through_untouched():
    room = np.frombuffer(quiet(1.0), "<i2").astype(np.float64)
    assert np.array_equal(
        cancelled(PlaybackLog(audible=True), room), room[: len(room) // FRAME * FRAME]
    )


def test_it_says_when_its_output_can_be_trusted_to_hold_only_the_person():
    # The listener looks for the person in the cancelled signal only while the canceller works,
    # and in the raw one (where the person must be louder) while it is still learning the room.
    playback, room, begin, end = played_and_heard(delay=0.04, gain_db=-6)
    canceller = EchoCanceller(playback)
    trusted = []
    for i in range(len(room) // FRAME):
        at = (i + 1) * FRAME / SAMPLE_RATE
        canceller.clean(room[i * FRAME : (i + 1) * FRAME].astype("<i2").tobytes(), at)
        trusted.append((round(at * SAMPLE_RATE), canceller.cancelling(at)))
    canceller.close()
    assert not any(ok for sample, ok in trusted if sample < begin + SAMPLE_RATE)
    assert all(ok for sample, ok in trusted if end - SAMPLE_RATE < sample < end)


def test_the_coach_s_own_voice_is_told_from_a_person_however_it_was_filtered():
    # What the canceller leaves of the echo is the coach's voice filtered (the room, the
    # filter's error): it still follows what was played, band by band; a person's does not.
    playback, room, begin, _ = played_and_heard(delay=0.04, gain_db=-6)
    canceller = EchoCanceller(playback)
    at = begin + 2 * SAMPLE_RATE
    # It measures the echo's delay as it goes; the listener asks right after what it heard.
    for i in range((at + SAMPLE_RATE) // FRAME + 1):
        canceller.clean(room[i * FRAME : (i + 1) * FRAME].astype("<i2").tobytes(),
                        (i + 1) * FRAME / SAMPLE_RATE)  # fmt: skip
    echo = room[at : at + SAMPLE_RATE]
    muffled = np.convolve(echo, np.hanning(9) / 4, mode="same")  # a different room, quieter
    assert canceller.echo_left(muffled.astype("<i2").tobytes(), at / SAMPLE_RATE) > 0.6
    voice = EspeakVoice("gmw/en-gb-x-rp")
    try:
        person = voice.synthesize("Stop!").resampled(SAMPLE_RATE).samples * 16000
    finally:
        voice.close()
    assert canceller.echo_left(person.astype("<i2").tobytes(), at / SAMPLE_RATE) < 0.1
    canceller.close()
