"""The simulated room plays like a sound card: what it logs as played (the echo canceller's
reference) is exactly what its microphone hears, a fixed delay later."""

from __future__ import annotations

import numpy as np

from voice_coach.audio.output import WavTimeline
from voice_coach.audio.pcm import SAMPLE_RATE, Audio, read_wav
from voice_coach.audio.room import Room, RoomSink
from voice_coach.core.playback import PlaybackLog
from voice_coach.listening.echo import Reference

DELAY = 0.04
GAIN_DB = -6.0


def test_lines_stamped_a_rounding_apart_are_heard_as_logged_sample_for_sample():
    # A line's start is the last one's start plus its length in seconds: a fraction of a sample
    # off where it ended. The echo canceller lays logged audio end to end, so the room must
    # play it that way too, or the echo sits a sample away from its reference and speexdsp
    # takes out a few dB where it took out 40.
    rng = np.random.default_rng(1)
    lines = [Audio(rng.uniform(-0.5, 0.5, n).astype(np.float32), SAMPLE_RATE)
             for n in (4003, 2501, 3307)]  # fmt: skip
    playback = PlaybackLog(audible=True)
    room = Room(GAIN_DB, DELAY, playback)
    start = 0.5 + 0.3 / SAMPLE_RATE
    for line in lines:
        room.play(line, start)
        start += line.seconds + 0.3 / SAMPLE_RATE  # each stamp 0.3 of a sample later
    played = Reference(playback).samples(0, room.length)
    heard = room.heard(round(DELAY * SAMPLE_RATE), room.length) / 10 ** (GAIN_DB / 20)
    assert np.count_nonzero(played) == sum(len(line.samples) for line in lines)
    assert np.allclose(played, heard, atol=1e-6)


def test_a_short_silence_between_lines_is_logged_and_heard_as_silence():
    playback = PlaybackLog(audible=True)
    room = Room(GAIN_DB, DELAY, playback)
    tone = Audio(np.full(1600, 0.25, np.float32), SAMPLE_RATE)
    room.play(tone, 1.0)
    room.play(tone, 1.0 + tone.seconds + 0.5)  # half a second later
    played = Reference(playback).samples(0, room.length)
    heard = room.heard(round(DELAY * SAMPLE_RATE), room.length) / 10 ** (GAIN_DB / 20)
    assert np.allclose(played, heard, atol=1e-6)
    gap = played[round(1.1 * SAMPLE_RATE) : round(1.6 * SAMPLE_RATE)]
    assert len(gap) == 8000 and not np.any(gap)


def test_a_line_cut_short_is_heard_and_logged_only_up_to_the_cut(tmp_path):
    playback = PlaybackLog(audible=True)
    room = Room(GAIN_DB, DELAY, playback)
    sink = RoomSink(WavTimeline(tmp_path / "out.wav", SAMPLE_RATE), room)
    tone = Audio(np.full(2 * SAMPLE_RATE, 0.25, np.float32), SAMPLE_RATE)
    sink.place(tone, 1.0)
    playback.cut(2.0)  # "stop" a second in: the run cuts the log, and the speaker
    sink.cut(2.0)
    sink.place(tone, 2.5)  # "Paused."
    sink.close()
    cut = slice(2 * SAMPLE_RATE, round(2.5 * SAMPLE_RATE))
    played = Reference(playback).samples(0, room.length)
    heard = room.heard(round(DELAY * SAMPLE_RATE), room.length)
    assert (
        played[SAMPLE_RATE : 2 * SAMPLE_RATE].all() and heard[SAMPLE_RATE : 2 * SAMPLE_RATE].all()
    )
    assert not played[cut].any() and not heard[cut].any()
    written = read_wav(tmp_path / "out.wav").samples
    assert written[SAMPLE_RATE : 2 * SAMPLE_RATE].all() and not written[cut].any()
    assert written[round(2.5 * SAMPLE_RATE) :].all() and len(written) == round(4.5 * SAMPLE_RATE)
