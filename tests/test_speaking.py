"""The coach's audio, for real: interrupting the speaker, and a whole session rendered to WAV."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from tests.audio_helpers import FRAME, frame_levels
from voice_coach.audio.devices import sounddevice
from voice_coach.audio.output import DeviceOutput, WavTimeline
from voice_coach.audio.pcm import read_wav
from voice_coach.core.errors import CoachError
from voice_coach.core.events import Chime, Say
from voice_coach.speaking.speaker import AudioSpeaker, volume_gain
from voice_coach.speaking.tts.espeak import EspeakVoice

LONG = ("Hold the foot with a hand on each side. Rest your fingers on top of the foot. "
        "Put both thumbs underneath, on the toe pads. Stroke down each toe with your thumbs. "
        "Then stroke down the ball of the foot. Then the arch, and then the heel.")  # fmt: skip


@pytest.fixture(scope="module")
def voice():
    spoken = EspeakVoice("gmw/en-us")
    yield spoken
    spoken.close()


@pytest.fixture
def output():
    """The default PortAudio output; scripts/test.sh starts a PulseAudio null sink for it."""
    try:
        device = DeviceOutput()
    except CoachError as exc:
        pytest.skip(f"no audio output here ({exc}); scripts/test.sh starts one")
    yield device
    device.close()


def test_stop_silences_the_speaker_within_100_ms(voice, output):
    sd = sounddevice()
    blocks: list[tuple[float, float]] = []  # (wall time the block arrived, level)

    def heard(data, frames, when, status):
        blocks.append((time.monotonic(), float(np.sqrt(np.mean(data[:, 0] ** 2)))))

    speaker = AudioSpeaker(voice, output)
    cancel = threading.Event()
    with sd.InputStream(samplerate=16000, channels=1, blocksize=320, callback=heard):
        talking = threading.Thread(target=speaker.speak, args=(Say(LONG, 1), cancel, 0.0))
        talking.start()
        time.sleep(2.0)
        stopped_at = time.monotonic()
        cancel.set()
        talking.join()
        returned_at = time.monotonic()
        time.sleep(1.0)
    assert returned_at - stopped_at < 0.1
    before = [level for at, level in blocks if stopped_at - 1.0 < at < stopped_at]
    after = [level for at, level in blocks if at > stopped_at + 0.25]
    assert max(before) > 0.01  # the room heard the coach...
    assert max(after) < 0.001  # ...and then nothing, although most of the text was left


def test_a_chime_and_a_phrase_reach_the_room(voice, output):
    speaker = AudioSpeaker(voice, output)
    started = time.monotonic()
    speaker.speak(Chime("hold-start"), threading.Event(), 0.0)
    speaker.speak(Say("Halfway there.", 1), threading.Event(), 0.0)
    took = time.monotonic() - started
    assert 1.5 < took < 4  # played in real time, not dropped


def test_volume_levels_scale_the_audio(voice, tmp_path: Path):
    levels = []
    for level in (-2, 0, 2):
        timeline = WavTimeline(tmp_path / f"{level}.wav", voice.rate)
        speaker = AudioSpeaker(voice, timeline)
        speaker.set_voice(0, level)
        speaker.render(Say("Speaking louder.", 1), 0.0)
        timeline.close()
        levels.append(read_wav(tmp_path / f"{level}.wav").rms_dbfs())
    assert levels[1] - levels[0] == pytest.approx(
        20 * np.log10(volume_gain(0) / volume_gain(-2)), abs=0.2
    )
    assert levels[2] > levels[1] > levels[0]


def test_a_virtual_session_renders_to_a_wav_on_the_session_clock(tmp_path: Path):
    wav, transcript = tmp_path / "session.wav", tmp_path / "t.jsonl"
    env = {"XDG_STATE_HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path), "PATH": ""}
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "voice_coach", "run", "--quick", "--clock", "virtual",
         "--output", str(wav), "--transcript", str(transcript)],
        input="no\nno\nno\n", capture_output=True, text=True, env=env, check=False, timeout=120,
    )  # fmt: skip
    took = time.monotonic() - started
    assert done.returncode == 0, done.stderr
    events = [json.loads(line) for line in transcript.read_text().splitlines()]
    audio = read_wav(wav)
    assert events[-1]["event"] == "end" and events[-1]["reason"] == "finished"
    assert abs(audio.seconds - events[-1]["t"]) < 1.0
    assert audio.seconds > 5 * 60 and took < 60  # minutes of session in seconds

    levels = frame_levels(audio)
    loud = levels > -60  # the WAV is digital silence between sounds
    sounds = [(e["t"], e["end"]) for e in events if e["event"] in ("say", "chime")]
    assert sum(e["event"] == "chime" for e in events) >= 2 * 12  # hold start and end, every hold
    covered = np.zeros(len(levels), dtype=bool)
    for start, end in sounds:
        first, last = int(start / FRAME), int(end / FRAME)
        covered[first : last + 1] = True
        assert loud[first : first + 10].any(), (start, end)  # each sound starts when logged...
        if end - start > 2:
            assert loud[first : last + 1].mean() > 0.5, (start, end)  # ...and fills its span
    assert not loud[~covered].any()  # ...and nothing is heard between sounds
    # The transcript's text is what the WAV says, in order.
    said = [e["text"] for e in events if e["event"] == "say"]
    assert said == done.stdout.splitlines()


class _SlowVoice:
    """A voice at the port that takes 0.3 s per sentence, to watch the pipeline."""

    name, rate = "slow", 16000

    def __init__(self) -> None:
        from concurrent.futures import ThreadPoolExecutor

        self._pool = ThreadPoolExecutor(max_workers=1)
        self.finished: list[float] = []

    def set_rate(self, level: int) -> None:
        pass

    def submit(self, text: str):
        def make():
            time.sleep(0.3)
            self.finished.append(time.monotonic())
            from voice_coach.audio.pcm import Audio

            return Audio(np.full(1600, 0.1, dtype=np.float32), self.rate)

        return self._pool.submit(make)

    def synthesize(self, text: str):
        raise AssertionError("real time speaks sentence by sentence")

    def close(self) -> None:
        self._pool.shutdown()


class _Recorder:
    rate = 16000

    def __init__(self) -> None:
        self.started: list[float] = []

    def play(self, audio, cancel, start) -> None:
        self.started.append(time.monotonic())

    def place(self, audio, start) -> None:
        raise AssertionError

    def close(self) -> None:
        pass


def test_the_first_sentence_plays_while_the_rest_are_synthesised():
    voice, sink = _SlowVoice(), _Recorder()
    AudioSpeaker(voice, sink).speak(Say("One. Two. Three.", 1), threading.Event(), 0.0)
    assert len(sink.started) == 3
    assert sink.started[0] < voice.finished[1]  # playing sentence one before two was ready
