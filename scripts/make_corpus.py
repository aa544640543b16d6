#!/usr/bin/env python3
"""Build a labelled listening corpus (WAV files and a ``manifest.csv`` for ``voice-coach eval``)
from voices the project installs, with noise, reverb, and audio that must trigger nothing.

Two disjoint sets: ``tune`` (for choosing thresholds) and ``heldout`` (for checking them),
built from different voices, different speeds, different sentences and different noise:

    .venv/bin/python scripts/make_corpus.py corpus/tune --set tune
    .venv/bin/python scripts/make_corpus.py corpus/heldout --set heldout

Commands are spoken by several espeak-ng voices (called directly, for its variants), by pyttsx3
(the coach's own default voice) and by the natural voice when installed, at several speeds; each
is kept clean, reverberant, and mixed with noise at 20, 10 and 5 dB SNR (white or pink, babble
made from speech, music-like). ``none`` material: near-miss words, single words said while
massaging, counting, chatter, and the coach's own script, in passages with pauses, as a
microphone would hear them. Extra manifest columns (kind, voice, noise, snr) feed the report.
"""

from __future__ import annotations

import argparse
import csv
import subprocess
import tempfile
import tomllib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from voice_coach.audio.pcm import Audio, active_rms, read_wav, write_wav
from voice_coach.speaking.tts.espeak import RATE_STEP
from voice_coach.speaking.tts.natural import SPEED_STEP

ROOT = Path(__file__).resolve().parent.parent

RATE = 16000
SNRS = (20, 10, 5)


@dataclass(frozen=True)
class VoiceSpec:
    """``engine`` is espeak-ng (``name`` a voice with variant), pyttsx3 or natural."""

    engine: str
    name: str
    speeds: tuple[float, ...]
    """Relative to the voice's normal speed."""


CORPUS = Path(__file__).resolve().parent / "corpus"
"""One TOML file per locale: for each set, its voices, noises and the words it says."""

# Per context, the intents (and how many of each intent's phrases) that are spoken.
CONTEXT_INTENTS = {
    "routine": ("next", "back", "repeat", "pause", "stop", "quit", "restart", "skip", "status",
                "help", "slower", "faster", "louder", "quieter", "more_time", "switch_foot"),
    "paused": ("resume",),
    "question": ("yes", "no"),
}  # fmt: skip


@dataclass(frozen=True)
class CorpusText:
    """One set of one locale, as its data file describes it."""

    locale: str
    name: str
    """``tune`` or ``heldout``."""
    seed: int
    reverb: float
    """Reverberation time (RT60) of the room, seconds."""
    noises: tuple[str, ...]
    voices: tuple[VoiceSpec, ...]
    goto: tuple[tuple[str, str], ...]
    """Jumps said, with their label (``goto:3``)."""
    near_miss: tuple[str, ...]
    massage_words: tuple[str, ...]
    counting: str
    chatter: tuple[str, ...]

    @classmethod
    def load(cls, locale: str, name: str) -> CorpusText:
        path = CORPUS / f"{locale}.toml"
        if not path.exists():
            known = ", ".join(sorted(p.stem for p in CORPUS.glob("*.toml")))
            raise SystemExit(f"no corpus text for '{locale}' in {CORPUS} (there is: {known})")
        data = tomllib.loads(path.read_text(encoding="utf-8"))[name]
        return cls(
            locale, name, data["seed"], data["reverb"], tuple(data["noises"]),
            tuple(VoiceSpec(v["engine"], v["name"], tuple(v["speeds"])) for v in data["voices"]),
            tuple((phrase, label) for phrase, label in data["goto"]), tuple(data["near_miss"]),
            tuple(data["massage_words"]), data["counting"], tuple(data["chatter"]),
        )  # fmt: skip


class Voices:
    """Synthesis for every :class:`VoiceSpec`; the natural voice is skipped when missing."""

    def __init__(self) -> None:
        self._pyttsx3: object | None = None
        self._natural: object | None = None
        self._tmp = tempfile.TemporaryDirectory(prefix="voice-coach-corpus-")

    def available(self, spec: VoiceSpec) -> bool:
        if spec.engine != "natural":
            return True
        try:
            import hibari  # noqa: F401
        except ImportError:
            print("natural voice not installed (pip install '.[natural]'): skipped")
            return False
        return True

    def say(self, spec: VoiceSpec, speed: float, text: str) -> Audio:
        if spec.engine == "espeak":
            out = Path(self._tmp.name) / "say.wav"
            subprocess.run(["espeak-ng", "-v", spec.name, "-s", str(round(170 * speed)),
                            "-w", str(out), text], check=True)  # fmt: skip
            audio = read_wav(out)
        elif spec.engine == "pyttsx3":
            from voice_coach.speaking.tts.espeak import EspeakVoice

            if self._pyttsx3 is None:
                self._pyttsx3 = EspeakVoice(spec.name)
            voice = self._pyttsx3
            assert isinstance(voice, EspeakVoice)
            voice.set_rate(round(np.log(speed) / np.log(RATE_STEP)))
            audio = voice.synthesize(text)
        else:
            from voice_coach.speaking.tts.natural import NaturalVoice

            if self._natural is None:
                self._natural = NaturalVoice()
            voice = self._natural
            assert isinstance(voice, NaturalVoice)
            voice.set_rate(round(np.log(speed) / np.log(SPEED_STEP)))
            audio = voice.synthesize(text)
        return audio.resampled(RATE)

    def close(self) -> None:
        for voice in (self._pyttsx3, self._natural):
            if voice is not None:
                voice.close()  # type: ignore[attr-defined]
        self._tmp.cleanup()


class Noises:
    """Noise of each kind, as long as needed, at unit RMS."""

    def __init__(self, rng: np.random.Generator, babble: list[Audio]) -> None:
        self.rng = rng
        self.babble_source = np.concatenate([a.samples for a in babble]) if babble else None

    def make(self, kind: str, length: int) -> np.ndarray:
        rng = self.rng
        if kind == "white":
            noise = rng.normal(0, 1, length)
        elif kind == "pink":
            spectrum = np.fft.rfft(rng.normal(0, 1, length))
            spectrum /= np.sqrt(np.maximum(np.arange(len(spectrum)), 1))
            noise = np.fft.irfft(spectrum, length)
        elif kind == "babble":
            assert self.babble_source is not None
            source = self.babble_source
            noise = np.zeros(length)
            for _ in range(5):  # five people talking at once
                start = int(rng.integers(0, max(1, len(source) - length)))
                part = np.resize(source[start:], length)
                noise += part / (np.sqrt(np.mean(part**2)) + 1e-9)
        else:
            noise = self._music(kind, length)
        return (noise / (np.sqrt(np.mean(noise**2)) + 1e-12)).astype(np.float32)

    def _music(self, kind: str, length: int) -> np.ndarray:
        """Notes of a pentatonic tune with harmonics over a bass; ``drums`` adds beats."""
        rng = self.rng
        t = np.arange(length) / RATE
        out = np.zeros(length)
        note = int(RATE * rng.uniform(0.18, 0.35))
        scale = [0, 2, 4, 7, 9, 12, 14, 16]
        for begin in range(0, length, note):
            freq = 220 * 2 ** (scale[int(rng.integers(len(scale)))] / 12)
            span = slice(begin, min(length, begin + note))
            envelope = np.exp(-np.arange(span.stop - span.start) / (0.4 * note))
            for harmonic, gain in ((1, 1.0), (2, 0.5), (3, 0.25)):
                out[span] += gain * envelope * np.sin(2 * np.pi * freq * harmonic * t[span])
        out += 0.6 * np.sin(2 * np.pi * 110 * t) * (0.5 + 0.5 * np.sin(2 * np.pi * 0.5 * t))
        if kind == "drums":
            beat = RATE // 2
            for begin in range(0, length, beat):
                hit = min(length - begin, 1600)
                out[begin : begin + hit] += (
                    3 * rng.normal(0, 1, hit) * np.exp(-np.arange(hit) / 300)
                )
        return out


def reverb(samples: np.ndarray, rt60: float, rng: np.random.Generator) -> np.ndarray:
    """A room: the direct sound plus exponentially dying diffuse reflections."""
    n = int(rt60 * RATE)
    tail = rng.normal(0, 1, n) * np.exp(-6.9 * np.arange(n) / n)  # -60 dB at rt60
    response = np.concatenate([[1.0], np.zeros(int(0.01 * RATE)), 0.25 * tail])
    size = len(samples) + len(response) - 1
    wet = np.fft.irfft(np.fft.rfft(samples, size) * np.fft.rfft(response, size), size)
    wet = wet[: len(samples)]
    return (wet * active_rms(samples) / (active_rms(wet) + 1e-12)).astype(np.float32)


def place(speech: np.ndarray, rng: np.random.Generator, level_db: float) -> np.ndarray:
    """Speech at about ``level_db`` dBFS (active RMS) with a little room either side."""
    before = np.zeros(int(rng.uniform(0.2, 0.5) * RATE), np.float32)
    after = np.zeros(int(0.3 * RATE), np.float32)
    gain = 10 ** (level_db / 20) / (active_rms(speech) + 1e-12)
    return np.concatenate([before, speech * gain, after]).astype(np.float32)


def mix(clean: np.ndarray, noise: np.ndarray, snr: float) -> np.ndarray:
    level = active_rms(clean) / 10 ** (snr / 20)
    out = clean + noise[: len(clean)] * level
    peak = np.max(np.abs(out))
    return (out / peak * 0.9 if peak > 0.9 else out).astype(np.float32)


def phrases_per_intent(locale: str, per_intent: int | None, offset: int) -> dict[str, list[str]]:
    """The locale's phrases for each intent: ``per_intent`` of them (None: all), starting at
    ``offset`` (so the two sets say some phrases differently)."""
    path = ROOT / "voice_coach" / "locales" / locale / "commands.toml"
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    chosen = {}
    for intent, phrases in data["intents"].items():
        start = offset % len(phrases)
        chosen[intent] = (phrases[start:] + phrases[:start])[:per_intent]
    return chosen


def coach_lines(locale: str, limit: int) -> list[str]:
    """What the coach says in the standard foot massage, line by line."""
    from voice_coach.app.catalog import find_routine
    from voice_coach.app.script_listing import render_script
    from voice_coach.core.plan import Plan

    script = render_script(Plan(find_routine("foot-massage", locale)))
    lines = [line.strip() for line in script.splitlines() if line.startswith("    ")]
    return [line for line in lines if len(line) > 3][:limit]


def build(folder: Path, text: CorpusText, per_intent: int | None, none_minutes: float) -> int:
    rng = np.random.default_rng(text.seed)
    voices = Voices()
    usable = [v for v in text.voices if voices.available(v)]
    folder.mkdir(parents=True, exist_ok=True)
    rows: list[dict[str, object]] = []

    def save(audio: np.ndarray, stem: str, **row: object) -> None:
        path = folder / f"{stem}.wav"
        write_wav(path, Audio(audio.astype(np.float32), RATE))
        rows.append({"path": path.name, **row})

    babble = [voices.say(v, v.speeds[0], line) for v in usable[:3] for line in text.chatter[::3]]
    noises = Noises(rng, babble)
    phrases = phrases_per_intent(text.locale, per_intent, 0 if text.name == "tune" else 1)
    said: list[tuple[str, str, str]] = [
        (phrase, intent, context)
        for context, intents in CONTEXT_INTENTS.items()
        for intent in intents
        for phrase in phrases[intent]
    ]
    said += [(phrase, goto, "routine") for phrase, goto in text.goto]
    count = 0
    for voice in usable:
        for speed in voice.speeds:
            for phrase, expected, context in said:
                speech = place(voices.say(voice, speed, phrase).samples, rng, rng.uniform(-32, -20))
                base = dict(expected=expected, context=context, kind="command",
                            voice=f"{voice.engine}:{voice.name}@{speed}")  # fmt: skip
                save(speech, f"c{count:05d}-clean", **base, noise="clean", snr="")
                wet = reverb(speech, text.reverb, rng)
                save(wet, f"c{count:05d}-reverb", **base, noise="reverb", snr="")
                for snr in SNRS:
                    kind = text.noises[int(rng.integers(len(text.noises)))]
                    noisy = mix(speech, noises.make(kind, len(speech)), snr)
                    save(noisy, f"c{count:05d}-{kind}{snr}", **base, noise=kind, snr=snr)
                count += 1
    count += none_material(text, usable, voices, noises, rng, none_minutes, save)
    voices.close()
    with (folder / "manifest.csv").open("w", newline="") as handle:
        columns = ["path", "expected", "context", "kind", "voice", "noise", "snr"]
        writer = csv.DictWriter(handle, columns)
        writer.writeheader()
        writer.writerows(rows)
    return len(rows)


def none_material(text: CorpusText, usable: list[VoiceSpec], voices: Voices,
                  noises: Noises, rng: np.random.Generator, minutes: float,
                  save: object) -> int:  # fmt: skip
    """Passages of about 30 s that must trigger nothing, until ``minutes`` of audio."""
    assert callable(save)
    sources = {
        "near-miss": text.near_miss,
        "massage-words": text.massage_words,
        "counting": tuple(text.counting.split()),
        "chatter": text.chatter,
        "own-script": tuple(coach_lines(text.locale, 400)),
    }
    cache: dict[tuple[str, float, str], np.ndarray] = {}
    total, passage = 0.0, 0
    kinds = list(sources)
    while total < minutes * 60:
        kind = kinds[passage % len(kinds)]
        voice = usable[int(rng.integers(len(usable)))]
        if kind == "own-script":
            voice = usable[0]  # the coach speaks in one voice
        speed = voice.speeds[int(rng.integers(len(voice.speeds)))]
        pieces: list[np.ndarray] = []
        length = 0
        items = sources[kind]
        start = int(rng.integers(len(items)))
        index = start
        while length < 30 * RATE:
            line = items[index % len(items)]
            index += 1
            key = (voice.name, speed, line)
            if key not in cache:
                cache[key] = voices.say(voice, speed, line).samples
            gap = (
                rng.uniform(0.3, 0.8) if kind in ("chatter", "own-script") else rng.uniform(0.8, 2)
            )
            piece = place(cache[key], rng, rng.uniform(-32, -20))
            pieces += [piece, np.zeros(int(gap * RATE), np.float32)]
            length += len(piece) + int(gap * RATE)
        audio = np.concatenate(pieces)
        noise, snr = "clean", ""
        if kind != "own-script" and passage % 3:
            noise = text.noises[(passage + 1) % len(text.noises)]
            snr = 20
            audio = mix(audio, noises.make(noise, len(audio)), snr)
        save(audio, f"n{passage:04d}-{kind}", expected="none", context="routine", kind=kind,
             voice=f"{voice.engine}:{voice.name}@{speed}", noise=noise, snr=snr)  # fmt: skip
        total += len(audio) / RATE
        passage += 1
    return passage


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--set", choices=("tune", "heldout"), default="tune")
    parser.add_argument(
        "--locale", default="en", help=f"the language spoken (a file in {CORPUS.relative_to(ROOT)})"
    )
    parser.add_argument(
        "--per-intent",
        type=int,
        help="phrases spoken per intent (default: every phrase for the tuning set, so that the "
        "verifier's bank has examples of each; 2 for the held-out set)",
    )
    parser.add_argument(
        "--none-minutes",
        type=float,
        default=60.0,
        help="minutes of audio that must trigger nothing (default 60)",
    )
    args = parser.parse_args()
    per_intent = args.per_intent if args.per_intent or args.set == "tune" else 2
    text = CorpusText.load(args.locale, args.set)
    clips = build(args.folder, text, per_intent, args.none_minutes)
    print(f"{clips} clips in {args.folder / 'manifest.csv'}")


if __name__ == "__main__":
    main()
