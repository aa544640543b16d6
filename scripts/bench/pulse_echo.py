"""Echo cancellation through PulseAudio: how much of the coach's voice the canceller takes out in
real time, through the real devices (PortAudio, ALSA, PulseAudio's null-sink room, whose monitor
is the microphone: the echo at full level).

The coach's voice reads the foot massage's script through the speaker, one line after another,
while microphone frames are cleaned on the session clock as the coach cleans them. Reported:
echo return loss enhancement (ERLE, dB taken out) per second of echo, the echo's delay and how
often the canceller had to move it (each move is a sound-server underrun or a first find).
"""

from __future__ import annotations

import threading
import time

import numpy as np

from voice_coach.app.catalog import find_routine
from voice_coach.audio.microphones import DeviceMicrophone
from voice_coach.audio.output import DeviceOutput
from voice_coach.core.playback import PlaybackLog
from voice_coach.listening.echo import EchoCanceller
from voice_coach.listening.listener import DRIFT
from voice_coach.speaking.tts.espeak import EspeakVoice

FRAME = 480
"""Samples per microphone frame (the listener's 30 ms)."""
SECOND = 16000
"""Samples per second at the microphone's 16 kHz."""
LOUD = 0.01
"""A second counts as echo when the coach played louder than this (RMS, full scale 1)."""


def pulse_echo(seconds: float) -> dict[str, object]:
    """ERLE percentiles over ``seconds`` of the coach talking, its delay and moves."""
    playback = PlaybackLog(audible=True)
    output = DeviceOutput(None, playback)
    microphone = DeviceMicrophone(None)
    playback.origin = time.monotonic()
    canceller = EchoCanceller(playback)
    done = threading.Event()
    speaking = threading.Thread(target=_speak, args=(output, playback, done), daemon=True)
    speaking.start()
    raw: list[float] = []
    cleaned: list[float] = []
    delays: list[float] = []
    end: float | None = None
    try:
        while time.monotonic() - playback.origin < seconds:
            frame = microphone.read(2 * FRAME)
            # Counted in samples, as the listener counts, and set by the frame's stamp only
            # when the two drift apart (the stamps jitter by a callback block).
            heard = frame.t - playback.origin
            end = heard if end is None else end + FRAME / SECOND
            if abs(heard - end) > DRIFT:
                end = heard
            out = canceller.clean(frame.pcm, end)
            if playback.level(end - 0.5, end) < LOUD:
                continue
            raw.append(_power(frame.pcm))
            cleaned.append(_power(out))
            if not delays or canceller.estimator.delay != delays[-1]:
                delays.append(canceller.estimator.delay)
    finally:
        done.set()
        speaking.join(timeout=30)
        microphone.close()
        output.close()
        canceller.close()
    per_second = round(SECOND / FRAME)
    erle = [_db(sum(raw[i : i + per_second]), sum(cleaned[i : i + per_second]))
            for i in range(0, len(raw) - per_second + 1, per_second)]  # fmt: skip
    percentiles = [round(float(np.percentile(erle, q)), 1) for q in (10, 50, 90)] if erle else []
    return {
        "seconds of echo": round(len(raw) * FRAME / SECOND),
        "ERLE dB p10 / median / p90": percentiles,
        "delay s": round(delays[-1], 3) if delays else None,
        "delay moves": max(0, len(delays) - 1),
    }


def _speak(output: DeviceOutput, playback: PlaybackLog, done: threading.Event) -> None:
    """Read the routine's lines through the speaker until ``done``."""
    voice = EspeakVoice("gmw/en-us")
    lines = [step.say for step in find_routine("foot-massage", "en").steps]
    try:
        for line in lines * 10:
            if done.is_set():
                return
            audio = voice.synthesize(line)
            start = time.monotonic() - (playback.origin or 0.0)
            playback.began(start, line)
            output.play(audio, done, start)
            playback.ended(time.monotonic() - (playback.origin or 0.0))
    finally:
        voice.close()


def _db(before: float, after: float) -> float:
    return float(10 * np.log10((before + 1.0) / (after + 1.0)))


def _db(before: float, after: float) -> float:
    return float(10 * np.log10((before + 1.0) / (after + 1.0)))


def _power(pcm: bytes) -> float:
    samples = np.frombuffer(pcm, "<i2").astype(np.float64)
    return float(np.sum(samples**2))
