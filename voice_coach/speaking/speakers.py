"""Choosing where the coach's words go: printed text, a speaker, or a WAV file.

When the chosen voice or device is not there, the coach says so and carries on with what is
(the default voice; printed text), rather than stopping.
"""

from __future__ import annotations

import logging
from pathlib import Path

from voice_coach.audio.output import AudioSink, DeviceOutput, WavTimeline
from voice_coach.audio.room import Room, RoomSink
from voice_coach.core.errors import CoachError
from voice_coach.core.playback import PlaybackLog
from voice_coach.ports import Speaker
from voice_coach.speaking.speaker import AudioSpeaker
from voice_coach.speaking.text import TextSpeaker
from voice_coach.speaking.tts.espeak import EspeakVoice
from voice_coach.speaking.tts.natural import NaturalVoice
from voice_coach.speaking.tts.worker import WorkerVoice

log = logging.getLogger(__name__)

VOICES = ("default", "natural")


def open_voice(name: str, espeak_voice: str, locale: str, notice: list[str]) -> WorkerVoice:
    """The voice called ``name``; the default espeak-ng voice when the natural one cannot be had."""
    if name == "natural":
        if not locale.startswith("en"):
            notice.append(f"The natural voice speaks English only; using espeak-ng for '{locale}'.")
        else:
            try:
                return NaturalVoice()
            except CoachError as exc:
                notice.append(f"{exc}. Using the default voice.")
    elif name != "default":
        raise CoachError(f"unknown voice '{name}'; choose one of: {', '.join(VOICES)}")
    return EspeakVoice(espeak_voice)


def open_speaker(
    output: str,
    *,
    voice: str,
    espeak_voice: str,
    locale: str,
    device: str | None,
    virtual: bool,
    notice: list[str],
    room: Room | None = None,
    playback: PlaybackLog | None = None,
) -> Speaker:
    """A speaker for ``--output``: ``text``, ``speaker`` or a ``.wav`` path.

    Problems that the coach can work around are appended to ``notice`` for the user; a sound
    card writes the level of what it plays to ``playback``.
    """
    if output == "text":
        return TextSpeaker()
    if output == "speaker":
        if virtual:
            raise CoachError("virtual time cannot play on a speaker: use --output text or "
                             "--output FILE.wav with --clock virtual")  # fmt: skip
        try:
            sink: AudioSink = DeviceOutput(device, playback)
        except CoachError as exc:
            notice.append(f"No speaker: {exc}. Printing what the coach says instead.")
            return TextSpeaker()
        return AudioSpeaker(open_voice(voice, espeak_voice, locale, notice), sink, captions=True,
                            reopen=lambda: DeviceOutput(device, playback))  # fmt: skip
    if output.lower().endswith(".wav"):
        spoken = open_voice(voice, espeak_voice, locale, notice)
        path = Path(output)
        if not path.parent.is_dir():
            raise CoachError(f"cannot write {path}: the folder {path.parent} does not exist")
        sink = WavTimeline(path, spoken.rate, paced=not virtual)
        return AudioSpeaker(spoken, RoomSink(sink, room) if room else sink, captions=True)
    raise CoachError(f"unknown output '{output}'; use text, speaker, or a file ending in .wav")
