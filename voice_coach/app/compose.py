"""Putting a run together: routine, locale, saved progress, speaker, runner."""

from __future__ import annotations

import signal
import sys
from pathlib import Path

from voice_coach.app.catalog import find_routine
from voice_coach.app.settings import RunSettings
from voice_coach.app.terminal import progress_bar, start_prompt, start_stdin_reader
from voice_coach.audio.microphones import DeviceMicrophone, WavMicrophone
from voice_coach.audio.room import Room, RoomMicrophone
from voice_coach.core.commands import PhraseBook
from voice_coach.core.errors import CoachError
from voice_coach.core.paths import state_dir
from voice_coach.core.plan import Plan
from voice_coach.core.playback import PlaybackLog
from voice_coach.core.prompts import Prompts
from voice_coach.core.routine import Routine
from voice_coach.core.session import Mode, Session
from voice_coach.listening.echo import EchoCanceller
from voice_coach.listening.engines import UNVERIFIED, open_recognizer, unverified
from voice_coach.listening.listener import Listener
from voice_coach.listening.stt.base import Recognizer
from voice_coach.ports import Microphone
from voice_coach.run.realtime import RealtimeDriver
from voice_coach.run.runner import Runner, RunParts
from voice_coach.run.store import PreferenceStore, ProgressStore
from voice_coach.run.transcript import Transcript
from voice_coach.run.virtual import AudioInput, ScriptInput, VirtualDriver
from voice_coach.speaking.speaker import AudioSpeaker
from voice_coach.speaking.speakers import open_speaker

ROOM_DELAY = 0.04
"""Seconds the simulated room delays the coach's voice (a speaker about a metre away, plus
the sound card's buffers)."""


def checked_variant(routine: Routine, variant: str | None) -> str:
    """``variant`` if the routine has it; None: "standard", or the routine's first variant."""
    known = [v.id for v in routine.variants]
    if variant is None:
        return "standard" if "standard" in known else known[0]
    if variant not in known:
        raise CoachError(
            f"routine '{routine.id}' has no variant '{variant}'; choose one of: {', '.join(known)}"
        )
    return variant


def phrase_book(routine: Routine) -> PhraseBook:
    """The locale's phrases plus this routine's step names and sides."""
    return PhraseBook.load(routine.locale).with_targets(
        [(s.id, (s.title, *s.aliases, s.id.replace("-", " "))) for s in routine.steps],
        [(side.id, side.name) for side in routine.sides],
    )


def run(settings: RunSettings) -> int:
    """Run one session to its end; 0 whatever the end reason."""
    routine = find_routine(settings.routine, settings.locale)
    plan = Plan(routine, checked_variant(routine, settings.variant))
    prompts = Prompts.load(routine.locale)
    store = ProgressStore(state_dir())
    preferences = PreferenceStore(state_dir())
    saved = None if settings.fresh else store.load(routine.id, plan.variant.id, routine.locale)
    voice = preferences.load()
    rate = settings.rate if settings.rate is not None else voice.get("rate", 0)
    volume = settings.volume if settings.volume is not None else voice.get("volume", 0)
    session = Session(plan, prompts, saved, auto_advance=settings.auto_advance, rate=rate,
                      volume=volume, stay=settings.stay)  # fmt: skip
    notice: list[str] = []
    virtual = settings.virtual
    playback = PlaybackLog()
    room = None
    audio_run = virtual and settings.resolved_output.lower().endswith(".wav")
    if settings.room_echo is not None and not (
        audio_run and settings.resolved_input.lower().endswith(".wav")
    ):
        raise CoachError("--room-echo needs --input FILE.wav and --output FILE.wav")
    if audio_run:
        room = Room(settings.room_echo, ROOM_DELAY, playback)
    speaker = open_speaker(
        settings.resolved_output, voice=settings.voice, espeak_voice=prompts.espeak_voice,
        locale=routine.locale, device=settings.speaker, virtual=virtual, notice=notice, room=room,
        playback=playback,
    )  # fmt: skip
    playback.audible = isinstance(speaker, AudioSpeaker)  # levels come from its sound card or room
    source = settings.resolved_input
    if source not in ("mic", "text") and not source.lower().endswith(".wav"):
        raise CoachError(f"unknown input '{source}': use mic, text, or a file ending in .wav")
    recognizer = None
    phrases = phrase_book(routine)
    if source != "text":
        recognizer = open_recognizer(settings.engine, routine.locale, phrases, settings.model)
        if unverified(recognizer):
            notice.append(UNVERIFIED)
    for line in notice:
        print(f"voice-coach: {line}", file=sys.stderr)
    parts = RunParts(session, phrases, speaker, store, preferences,
                     Transcript(settings.transcript), settings.chimes, playback)  # fmt: skip
    if virtual:
        return _run_virtual(source, recognizer, parts, room)
    if source.lower().endswith(".wav"):
        raise CoachError("a WAV file as the microphone runs on the virtual clock: "
                         "drop --clock real")  # fmt: skip
    driver = RealtimeDriver()
    runner = Runner(parts, driver)
    microphone = None
    if recognizer is not None:
        try:
            microphone = DeviceMicrophone(settings.mic)
        except CoachError as exc:
            print(f"voice-coach: No microphone: {exc}. Type what you would say instead.",
                  file=sys.stderr)  # fmt: skip
    if microphone is not None and recognizer is not None:
        first: list[DeviceMicrophone] = [microphone]

        def reopen() -> DeviceMicrophone:
            return first.pop() if first else DeviceMicrophone(settings.mic)

        print(f"voice-coach: listening on '{microphone.device.name}' with {recognizer.name}.",
              file=sys.stderr)  # fmt: skip
        driver.listen(reopen, recognizer, echo_canceller(playback))
    stop_prompt = None
    if sys.stdin.isatty() and sys.stdout.isatty():
        print("Text mode: type what you would say, then Enter.", file=sys.stderr)
        stop_prompt = start_prompt(driver.line, driver.input_closed,
                                   lambda: _status_line(runner, driver))  # fmt: skip
    elif microphone is None:
        start_stdin_reader(driver.line, driver.input_closed)

    def interrupted(signum: int, frame: object) -> None:
        """SIGTERM, or SIGINT (Ctrl-C, also from the terminal prompt's thread)."""
        driver.interrupt()

    previous = {sig: signal.signal(sig, interrupted) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        reason = runner.run()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        if stop_prompt:
            stop_prompt()
    if reason == "interrupted":
        print("voice-coach: stopped. " + ("Your place is saved." if runner.place_saved else
              "Next time it starts with the safety questions."), file=sys.stderr)  # fmt: skip
    return 0


def echo_canceller(playback: PlaybackLog) -> EchoCanceller | None:
    """An echo canceller when the coach plays audio (a coach that prints has no echo); without
    speexdsp the coach listens on, and says what to install."""
    if not playback.audible:
        return None
    try:
        return EchoCanceller(playback)
    except CoachError as exc:
        print(f"voice-coach: {exc}; until then the coach hears 'stop' over its own voice only "
              "when said louder than it", file=sys.stderr)  # fmt: skip
        return None


def _run_virtual(source: str, recognizer: Recognizer | None, parts: RunParts,
                 room: Room | None) -> int:  # fmt: skip
    if source == "mic":
        raise CoachError("the virtual clock cannot listen to a live microphone: use "
                         "--input FILE.wav or --input text")  # fmt: skip
    if source == "text":
        Runner(parts, VirtualDriver(ScriptInput(iter(sys.stdin.readline, "")))).run()
        return 0
    assert recognizer is not None
    listener = Listener(recognizer, parts.phrases, parts.playback,
                        canceller=echo_canceller(parts.playback))  # fmt: skip
    microphone: Microphone = WavMicrophone(Path(source))
    if room is not None and room.gain:
        microphone = RoomMicrophone(microphone, room)
    runner = Runner(parts, VirtualDriver(AudioInput(microphone, listener)))
    runner.run()
    return 0


def _status_line(runner: Runner, driver: RealtimeDriver) -> str:
    """The terminal toolbar: where the session is, and the hold's progress bar."""
    session = runner.session
    with runner.lock:
        mode, stop, paused = session.mode, session.stop, session.paused
        now = runner.clock.now()
        elapsed, length = session.hold.elapsed(now), session.hold.length
        question, questions = session.question + 1, len(session.plan.routine.safety)
    waiting = driver.lines_waiting
    if waiting:
        return f" (waiting: {' / '.join(waiting)}; after I finish speaking)"
    if mode is Mode.RESUME_PROMPT:
        return " Resume where you stopped? (resume / start over)"
    if mode is Mode.IDLE:
        return " Finished. Say start to begin again, or quit."
    if mode is Mode.SAFETY:
        return f" Safety check, question {min(question, questions)} of {questions} (yes / no)"
    side = f" - {stop.side.name}" if stop.side else ""
    number = f"Step {stop.number}/{len(session.plan.techniques)} " if stop.number else ""
    state = "  (paused)" if paused else ""
    return f" {number}{stop.step.title}{side}  {progress_bar(elapsed, length)}{state}"
