"""``voice-coach doctor``: check each part the coach needs and say how to fix what is wrong."""

from __future__ import annotations

import stat
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from voice_coach.app.catalog import find_routine
from voice_coach.app.config import config_path, describe, load_config
from voice_coach.app.settings import RunSettings
from voice_coach.core.commands import PhraseBook
from voice_coach.core.errors import CoachError
from voice_coach.core.events import Say
from voice_coach.core.prompts import Prompts
from voice_coach.listening.engines import UNVERIFIED, open_recognizer, unverified
from voice_coach.speaking.speakers import open_voice

METER_SECONDS = 2.0


@dataclass(frozen=True)
class Finding:
    part: str
    ok: bool
    detail: str


def examine(settings: RunSettings, show: Callable[[str], None] = print) -> list[Finding]:
    """Check settings, routine, voice, speaker, microphone and recogniser, showing each result."""
    findings: list[Finding] = []

    def check(part: str, probe: Callable[[], str]) -> None:
        try:
            finding = Finding(part, True, probe())
        except CoachError as exc:
            finding = Finding(part, False, str(exc))
        findings.append(finding)
        show(f"{'ok  ' if finding.ok else 'FAIL'}  {part}: {finding.detail}")

    locale = settings.locale
    check("settings", _settings)
    check("routine", lambda: _routine(settings))
    check("voice", lambda: _voice(settings, locale))
    check("speaker", lambda: _speaker(settings, locale))
    check("microphone", lambda: _microphone(settings, show))
    check("recogniser", lambda: _recogniser(settings, locale))
    return findings


def _settings() -> str:
    path = config_path()
    text = describe(load_config(path), path)
    if path.exists() and path.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise CoachError(
            f"{path} can be read by other users; make it yours alone: chmod 600 {path}"
        )
    return text


def _routine(settings: RunSettings) -> str:
    routine = find_routine(settings.routine, settings.locale)
    return f"{routine.title} ({routine.id}, {routine.locale}) from {routine.path}"


def _voice(settings: RunSettings, locale: str) -> str:
    notice: list[str] = []
    voice = open_voice(settings.voice, Prompts.load(locale).espeak_voice, locale, notice)
    try:
        audio = voice.synthesize("Hello.")
    finally:
        voice.close()
    if audio.seconds < 0.2 or audio.rms_dbfs() < -50:
        raise CoachError("the voice made no sound; reinstall espeak-ng: sudo apt install espeak-ng")
    return " ".join([f"{voice.name} speaks ({audio.seconds:.1f} s for 'Hello.')", *notice])


def _speaker(settings: RunSettings, locale: str) -> str:
    from voice_coach.audio.output import DeviceOutput
    from voice_coach.speaking.speaker import AudioSpeaker

    output = DeviceOutput(settings.speaker)
    notice: list[str] = []
    voice = open_voice(settings.voice, Prompts.load(locale).espeak_voice, locale, notice)
    speaker = AudioSpeaker(voice, output)
    try:
        speaker.speak(Say("This is your coach. Can you hear me?", 0), threading.Event(), 0.0)
    finally:
        speaker.close()
    return f"played a test phrase on '{output.device.name}' (did you hear it?)"


def _microphone(settings: RunSettings, show: Callable[[str], None]) -> str:
    from voice_coach.audio.microphones import DeviceMicrophone

    microphone = DeviceMicrophone(settings.mic)
    show(f"      speak now: listening on '{microphone.device.name}' for {METER_SECONDS:.0f} s")
    levels = []
    try:
        started = time.monotonic()
        while time.monotonic() - started < METER_SECONDS:
            frame = np.frombuffer(microphone.read(3200).pcm, dtype="<i2").astype(np.float32) / 32768
            level = 20 * np.log10(max(float(np.sqrt(np.mean(frame**2))), 1e-6))
            levels.append(level)
            bar = "#" * max(0, round((level + 70) / 2))
            show(f"      {level:6.1f} dB |{bar}")
    finally:
        microphone.close()
    loudest = max(levels, default=-120.0)
    if loudest < -60:
        raise CoachError(f"'{microphone.device.name}' hears nothing (loudest {loudest:.0f} dB): "
                         "check it is plugged in and not muted (alsamixer)")  # fmt: skip
    return f"'{microphone.device.name}' hears sound (loudest {loudest:.0f} dB)"


def _recogniser(settings: RunSettings, locale: str) -> str:
    recognizer = open_recognizer(settings.engine, locale, PhraseBook.load(locale), settings.model)
    model = recognizer.model_path
    where = f" with the model in {model}" if model else " (its built-in English model)"
    if unverified(recognizer):
        raise CoachError(UNVERIFIED)
    if recognizer.checked:
        where += ", checked by the speech embedding"
    return f"{recognizer.name} for '{locale}'{where}"
