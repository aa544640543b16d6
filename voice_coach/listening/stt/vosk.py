"""Vosk (Kaldi): the recogniser the project is built around, with a downloaded or packaged model.

One recogniser is kept and its grammar swapped with ``SetGrammar`` when the phrases change; the
grammar includes ``[unk]`` so that out-of-grammar speech has somewhere to go, and the words'
confidences decide whether a phrase was really said, or are one input of a second opinion
where the project ships one for the language (``stt/verifier.py``, ``stt/ears.py``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from voice_coach.audio.pcm import SAMPLE_RATE
from voice_coach.core.errors import CoachError
from voice_coach.listening.stt.base import Recognition, recognize_alone


class VoskRecognizer:
    """Grammar-restricted Vosk recognition for one locale's model."""

    name = "vosk"
    wants_cleaned = False
    checked = False

    def __init__(self, model_path: Path, locale: str) -> None:
        try:
            import vosk
        except ImportError:
            raise CoachError("vosk is not installed: run scripts/setup.sh") from None
        vosk.SetLogLevel(-1)
        try:
            self._model: Any = vosk.Model(str(model_path))
        except Exception as exc:  # vosk raises a bare Exception for a bad model folder
            raise CoachError(
                f"cannot load the vosk model in {model_path} ({exc}); "
                "reinstall it with 'voice-coach models download'"
            ) from None
        self.locale = locale
        self.model_path = model_path
        self._recognizer: Any = vosk.KaldiRecognizer(self._model, SAMPLE_RATE)
        self._recognizer.SetWords(True)
        self._phrases: tuple[str, ...] = ()
        self._known: dict[str, bool] = {}

    def known(self, phrase: str) -> bool:
        for word in phrase.split():
            if word not in self._known:
                self._known[word] = self._model.vosk_model_find_word(word) >= 0
            if not self._known[word]:
                return False
        return True

    def recognize(self, pcm: bytes, phrases: tuple[str, ...]) -> Recognition | None:
        return recognize_alone(self, pcm, phrases)

    def alone(self, score: float) -> float:
        return score  # already a confidence

    def score(self, pcm: bytes, phrases: tuple[str, ...]) -> tuple[str, float] | None:
        """The phrase the grammar picks and the confidence of its least sure word (the phrase is
        as sure as that); None for nothing, ``[unk]``, or not a whole phrase."""
        if phrases != self._phrases:
            # "[unk]" gives out-of-grammar speech somewhere to go, when the model has it.
            extra = ["[unk]"] if self.known("[unk]") else []
            self._recognizer.SetGrammar(json.dumps([*phrases, *extra], ensure_ascii=False))
            self._phrases = phrases
        self._recognizer.AcceptWaveform(pcm)
        result = json.loads(self._recognizer.FinalResult())
        words = result.get("result", [])
        said = " ".join(word["word"] for word in words)
        if not words or said not in phrases:
            return None
        return said, min(word["conf"] for word in words)
