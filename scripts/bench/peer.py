"""The peer the coach is measured against: the SpeechRecognition library's usual loop
(``Recognizer.listen`` after ``adjust_for_ambient_noise``, then ``recognize_sphinx`` with a JSGF
grammar of the same phrases, or ``recognize_vosk``), on the same clips with the same quiet room
around them. Run as its own process (``bench_listening.py --peer``), so its memory is its own.
"""

from __future__ import annotations

import json
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from voice_coach.listening.models import find_model


def peer(manifest: Path, out: Path, engine: str, locale: str) -> None:
    """The SpeechRecognition loop over a manifest; JSON like ``voice-coach eval --json``."""
    import numpy as np
    import speech_recognition as sr

    from voice_coach.app.catalog import find_routine
    from voice_coach.app.compose import phrase_book
    from voice_coach.audio.pcm import SAMPLE_RATE, Audio, read_wav, write_wav
    from voice_coach.listening.evaluation import (
        ClipResult,
        Report,
        context_intents,
        peak_rss_mb,
        read_manifest,
        stream,
    )

    routine = find_routine("foot-massage", locale)
    phrases = phrase_book(routine)
    intents = context_intents(routine)
    clips = read_manifest(manifest, routine)
    recognizer = sr.Recognizer()
    rng = np.random.default_rng(0)
    with tempfile.TemporaryDirectory() as tmp:
        transcribe = (
            vosk_transcriber(locale)
            if engine == "vosk"
            else sphinx_transcriber(recognizer, phrases, intents, Path(tmp))
        )
        results, streamed = [], 0.0
        cpu = time.process_time()
        for clip in clips:
            audio = read_wav(clip.path)
            pcm = b"".join(stream(audio, rng))
            streamed += len(pcm) / 2 / SAMPLE_RATE
            wav = Path(tmp) / "clip.wav"
            write_wav(wav, Audio.from_int16(pcm, SAMPLE_RATE))
            result = ClipResult(str(clip.path), clip.expected, clip.context, audio.seconds)
            with sr.AudioFile(str(wav)) as source:
                recognizer.adjust_for_ambient_noise(source, duration=0.5)
                while True:
                    try:
                        heard = recognizer.listen(source)
                    except sr.WaitTimeoutError:
                        break
                    if len(heard.frame_data) < 0.1 * SAMPLE_RATE * 2:
                        break
                    began = time.perf_counter()
                    text = transcribe(heard, clip.context)
                    if not text:
                        continue
                    command = phrases.parse(text)
                    if command is None:
                        result.ignored.append("not a command")
                        continue
                    waited = recognizer.pause_threshold + time.perf_counter() - began
                    result.heard.append(command.label())
                    result.texts.append(text)
                    result.confidences.append(1.0)
                    result.latency_ms.append(round(waited * 1000, 1))
            results.append(result)
        cpu = time.process_time() - cpu
    peak = peak_rss_mb()
    report = Report(f"SpeechRecognition + {engine}", locale, results, cpu, streamed, peak)
    out.write_text(json.dumps(report.to_json(), indent=1))


Transcribe = Callable[[Any, str], str]
"""The peer's recogniser: the text of one utterance heard in a context ('' for nothing)."""


def sphinx_transcriber(recognizer: Any, phrases: Any, intents: dict, tmp: Path) -> Transcribe:
    """``recognize_sphinx`` with a JSGF grammar of the phrases each context listens for."""
    import speech_recognition as sr

    from voice_coach.listening.stt.sphinx import jsgf_tree

    vocabulary = known_words(
        {w for wanted in intents.values() for p in phrases.grammar(wanted) for w in p.split()}
    )
    grammars = {}
    for context, wanted in intents.items():
        said = [p for p in phrases.grammar(wanted) if set(p.split()) <= vocabulary]
        grammars[context] = tmp / f"{context}.gram"
        # SpeechRecognition wants the grammar and its public rule named after the file.
        grammars[context].write_text(
            f"#JSGF V1.0;\ngrammar {context};\npublic <{context}> = {jsgf_tree(tuple(said))};\n"
        )

    def transcribe(heard: Any, context: str) -> str:
        grammar = grammars[context]
        try:
            return str(recognizer.recognize_sphinx(heard, grammar=str(grammar)))
        except sr.UnknownValueError:
            return ""
        finally:
            # Its cache of the compiled grammar fails to load with pocketsphinx 5
            # (FsgModel's arguments changed), so it compiles afresh each time.
            grammar.with_suffix(".fsg").unlink(missing_ok=True)

    return transcribe


def vosk_transcriber(locale: str) -> Transcribe:
    """What ``recognize_vosk`` does (free transcription, no grammar: it takes none), with the
    locale's model. It loads the model from its own folder on every call (1.5 s for the Korean
    model); here it is loaded once, which only flatters the peer's latency and CPU."""
    import vosk

    from voice_coach.audio.pcm import SAMPLE_RATE

    folder = find_model(locale)
    if folder is None:
        raise SystemExit(f"no vosk model for '{locale}': voice-coach models download")
    vosk.SetLogLevel(-1)
    model = vosk.Model(str(folder))

    def transcribe(heard: Any, context: str) -> str:
        recognizer = vosk.KaldiRecognizer(model, SAMPLE_RATE)
        recognizer.AcceptWaveform(heard.get_raw_data(convert_rate=SAMPLE_RATE, convert_width=2))
        return str(json.loads(recognizer.FinalResult())["text"])

    return transcribe


def known_words(words: set[str]) -> set[str]:
    """Those of ``words`` in the dictionary SpeechRecognition's sphinx uses (read from its file,
    not by loading a decoder: this process's memory is what is measured)."""
    import speech_recognition as sr

    dictionary = Path(sr.__file__).parent / "pocketsphinx-data/en-US/pronounciation-dictionary.dict"
    with dictionary.open(encoding="utf-8") as handle:
        return {
            word for line in handle if (word := line.split(maxsplit=1)[0].split("(")[0]) in words
        }
