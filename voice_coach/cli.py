"""Command line: ``voice-coach run | routines | show | check``."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from voice_coach import __version__
from voice_coach.catalog import find_routine, scan
from voice_coach.commands import PhraseBook
from voice_coach.errors import CoachError, DataFileError
from voice_coach.paths import state_dir, user_routines_dir
from voice_coach.plan import Plan
from voice_coach.prompts import Prompts
from voice_coach.realtime import RealtimeRunner
from voice_coach.routine import Routine, load_routine
from voice_coach.runner import VirtualRunner
from voice_coach.script_listing import render_script, summary
from voice_coach.session import Mode, Session
from voice_coach.settings import RunSettings
from voice_coach.store import PreferenceStore, ProgressStore
from voice_coach.terminal import progress_bar, start_prompt, start_stdin_reader
from voice_coach.textio import TextSpeaker
from voice_coach.transcript import Transcript


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="voice-coach",
        description="A hands-free, voice-guided routine coach that runs offline.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log what happens")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = commands.add_parser("run", help="run a session")
    run.add_argument(
        "--routine", default="foot-massage", help="routine id or file (default: %(default)s)"
    )
    run.add_argument(
        "--variant", default="standard", help="standard or quick (default: %(default)s)"
    )
    run.add_argument(
        "--quick",
        dest="variant",
        action="store_const",
        const="quick",
        help="same as --variant quick",
    )
    run.add_argument("--locale", default="en", help="language (default: %(default)s)")
    run.add_argument(
        "--input",
        choices=["text"],
        default="text",
        help="text: one utterance per line of standard input",
    )
    run.add_argument(
        "--output",
        choices=["text"],
        default="text",
        help="text: print each utterance on its own line",
    )
    run.add_argument(
        "--clock",
        choices=["real", "virtual"],
        default="real",
        help="virtual: jump ahead to the next timer or input (for scripts and tests)",
    )
    run.add_argument("--transcript", type=Path, help="write events as JSON Lines to this file")
    run.add_argument(
        "--no-auto-advance",
        dest="auto_advance",
        action="store_false",
        help="wait for 'next' when a hold ends",
    )
    run.add_argument("--fresh", action="store_true", help="ignore saved progress")

    commands.add_parser("routines", help="list the routines it knows")

    show = commands.add_parser("show", help="print a routine's whole spoken script")
    show.add_argument("routine", help="routine id or file")
    show.add_argument("--variant", default="standard")
    show.add_argument("--locale", default="en")

    check = commands.add_parser("check", help="validate a routine file")
    check.add_argument("file", type=Path)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING, format="voice-coach: %(message)s"
    )
    try:
        match args.command:
            case "run":
                return run(
                    RunSettings(
                        routine=args.routine,
                        variant=args.variant,
                        locale=args.locale,
                        input=args.input,
                        output=args.output,
                        clock=args.clock,
                        transcript=args.transcript,
                        auto_advance=args.auto_advance,
                        fresh=args.fresh,
                    )
                )
            case "routines":
                return list_routines()
            case "show":
                routine = find_routine(args.routine, args.locale)
                print(render_script(Plan(routine, _variant(routine, args.variant))))
                return 0
            case _:
                return check(args.file)
    except DataFileError as exc:
        print(exc, file=sys.stderr)
        return exc.exit_code
    except CoachError as exc:
        print(f"voice-coach: {exc}", file=sys.stderr)
        return exc.exit_code


def _variant(routine: Routine, variant: str) -> str:
    known = [v.id for v in routine.variants]
    if variant not in known:
        raise CoachError(
            f"routine '{routine.id}' has no variant '{variant}'; choose one of: {', '.join(known)}"
        )
    return variant


def check(path: Path) -> int:
    routine = load_routine(path)
    Plan(routine)
    PhraseBook.load(routine.locale)
    Prompts.load(routine.locale)
    print(f"{path}: ok - {summary(routine)}")
    return 0


def list_routines() -> int:
    for found in scan():
        if found.routine:
            print(f"{summary(found.routine)}  [{found.source}: {found.path}]")
        else:
            print(f"(not loaded) {found.error}  [{found.source}]")
    print(f"Your own routines go in {user_routines_dir()}")
    return 0


def run(settings: RunSettings) -> int:
    routine = find_routine(settings.routine, settings.locale)
    plan = Plan(routine, _variant(routine, settings.variant))
    prompts = Prompts.load(routine.locale)
    phrases = PhraseBook.load(routine.locale).with_targets(
        [
            (step.id, (step.title, *step.aliases, step.id.replace("-", " ")))
            for step in routine.steps
        ],
        [(side.id, side.name) for side in routine.sides],
    )
    store = ProgressStore(state_dir())
    preferences = PreferenceStore(state_dir())
    saved = None if settings.fresh else store.load(routine.id, plan.variant.id, routine.locale)
    voice = preferences.load()
    session = Session(
        plan,
        prompts,
        saved,
        auto_advance=settings.auto_advance,
        rate=voice.get("rate", 0),
        volume=voice.get("volume", 0),
    )
    common = {
        "session": session,
        "phrases": phrases,
        "speaker": TextSpeaker(),
        "progress": store,
        "preferences": preferences,
        "transcript": Transcript(settings.transcript),
    }
    if settings.clock == "virtual":
        VirtualRunner(lines=iter(sys.stdin.readline, ""), **common).run()
        return 0
    runner = RealtimeRunner(**common)
    stop_prompt = None
    if sys.stdin.isatty() and sys.stdout.isatty():
        print("Text mode: type what you would say, then Enter.", file=sys.stderr)
        stop_prompt = start_prompt(runner.line, runner.input_closed, lambda: _status_line(runner))
    else:
        start_stdin_reader(runner.line, runner.input_closed)
    try:
        runner.run()
    except KeyboardInterrupt:
        print("Stopped. Your place is saved.", file=sys.stderr)
    finally:
        if stop_prompt:
            stop_prompt()
    return 0


def _status_line(runner: RealtimeRunner) -> str:
    """The terminal toolbar: where the session is, and the hold's progress bar."""
    session = runner.session
    with runner.lock:
        mode, stop, paused = session.mode, session.stop, session.paused
        now = runner.clock.now()
        elapsed, length = session.hold.elapsed(now), session.hold.length
        question, questions = session.question + 1, len(session.plan.routine.safety)
    if mode is Mode.RESUME_PROMPT:
        return " Resume where you stopped? (resume / start over)"
    if mode is Mode.SAFETY:
        return f" Safety check, question {min(question, questions)} of {questions} (yes / no)"
    side = f" - {stop.side.name}" if stop.side else ""
    number = f"Step {stop.number}/{len(session.plan.techniques)} " if stop.number else ""
    state = "  (paused)" if paused else ""
    return f" {number}{stop.step.title}{side}  {progress_bar(elapsed, length)}{state}"
