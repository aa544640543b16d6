"""The real-time run: a speech thread, an input thread, and the main loop that owns the session.

Only the main thread touches the session; the other threads post to its queue. Speech is
queued on a worker so the coach can be cut off mid-sentence ("stop") and so a long answer
never blocks listening.
"""

from __future__ import annotations

import logging
import queue
import sys
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from voice_coach.core.errors import CoachError
from voice_coach.core.events import (
    DeviceBack,
    DeviceLost,
    Event,
    NoInput,
    Say,
    SpeechDone,
    StepStarted,
    TimerDone,
)
from voice_coach.core.playback import PlaybackLog
from voice_coach.core.states import BARGE_IN
from voice_coach.listening.echo import EchoCanceller
from voice_coach.listening.listener import Listener, Utterance
from voice_coach.listening.stt.base import Recognizer
from voice_coach.ports import Microphone, Output, Speaker, WallClock
from voice_coach.run.clock import RealClock
from voice_coach.run.runner import Attached, Runner
from voice_coach.speaking.text import OutputClosed

log = logging.getLogger(__name__)

RETRY_FIRST = 1.0
"""Seconds before the first attempt to reopen a lost device; doubled each time after."""
RETRY_MOST = 30.0
"""Longest wait between attempts."""


class Backoff:
    """The waits between attempts to reopen a lost device: 1, 2, 4 ... 30 seconds."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self._wait = RETRY_FIRST

    def next(self) -> float:
        wait, self._wait = self._wait, min(self._wait * 2, RETRY_MOST)
        return wait


@dataclass(frozen=True)
class _Output:
    """Something the speaker did (logged by the main thread, which owns the transcript)."""

    item: Output
    start: float
    end: float


@dataclass(frozen=True)
class _Line:
    text: str
    t: float


@dataclass(frozen=True)
class _InputClosed:
    pass


@dataclass(frozen=True)
class _Spoken:
    utterance: Utterance
    t: float


@dataclass(frozen=True)
class _Interrupted:
    """SIGTERM or SIGINT: stop now, keeping the person's place."""


_Item = Event | _Output | _Line | _InputClosed | _Spoken | _Interrupted


class SpeechWorker:
    """Speaks queued utterances one after another on its own thread; can be cut off at once."""

    def __init__(self, speaker: Speaker, post: Callable[[_Item], None], clock: WallClock,
                 playback: PlaybackLog) -> None:  # fmt: skip
        self._speaker = speaker
        self._playback = playback
        self._post = post
        self._clock = clock
        self._queue: deque[Output] = deque()
        self._cond = threading.Condition()
        self._cancel = threading.Event()
        self._busy = False
        self._closed = False
        self._closing = threading.Event()
        self._thread = threading.Thread(target=self._run, name="speech", daemon=True)
        self._thread.start()

    @property
    def idle(self) -> bool:
        with self._cond:
            return not self._busy and not self._queue

    def add(self, item: Output) -> None:
        with self._cond:
            self._queue.append(item)
            self._cond.notify()

    def silence(self) -> None:
        with self._cond:
            kept = [item for item in self._queue if isinstance(item, StepStarted)]
            self._queue = deque(kept)
            self._cancel.set()

    def close(self, drain: bool = True) -> None:
        """Stop the thread, after the queued speech (``drain``) or at once."""
        if not drain:
            self.silence()
        with self._cond:
            self._closed = True
            self._cond.notify()
        self._closing.set()
        self._thread.join()

    def _lost(self, error: CoachError) -> None:
        """The speaker failed: drop what was to be said, pause the session, get it back."""
        log.warning("%s; trying to get it back", error)
        with self._cond:
            self._queue = deque(item for item in self._queue if isinstance(item, StepStarted))
        self._post(DeviceLost(self._clock.now(), "speaker"))
        backoff = Backoff()
        while not self._closing.wait(backoff.next()):
            try:
                self._speaker.reconnect()
            except CoachError as exc:
                log.info("speaker still missing: %s", exc)
                continue
            self._post(DeviceBack(self._clock.now(), "speaker"))
            return

    def _run(self) -> None:
        last_said: int | None = None
        while True:
            with self._cond:
                if not self._queue:
                    self._busy = False
                    if last_said is not None:
                        self._post(SpeechDone(self._clock.now(), last_said))
                        last_said = None
                while not self._queue and not self._closed:
                    self._cond.wait()
                if not self._queue:
                    return
                item = self._queue.popleft()
                self._busy = True
                self._cancel.clear()
            start = self._clock.now()
            if not isinstance(item, StepStarted):
                text = item.text if isinstance(item, Say) else ""
                self._playback.began(start, text)
                try:
                    self._speaker.speak(item, self._cancel, start)
                except OutputClosed:
                    self._post(_Interrupted())  # printed words nobody reads: stop, keep the place
                except CoachError as exc:
                    self._lost(exc)
                self._playback.ended(self._clock.now())
            if isinstance(item, Say):
                last_said = item.utterance
            self._post(_Output(item, start, self._clock.now()))


class RealtimeDriver(Attached):
    """Drives a session in real time: speech on a worker thread (so "stop" silences it at once),
    input from other threads through :meth:`line` and the microphone; only the runner's loop,
    on the main thread, touches the session."""

    def __init__(self, clock: WallClock | None = None) -> None:
        self.clock: WallClock = clock or RealClock()
        self._events: queue.Queue[_Item] = queue.Queue()
        self._input_open = True
        self._deferred: deque[str] = deque()
        self._listener: Listener | None = None
        self._stopping = threading.Event()
        self._speech: SpeechWorker | None = None

    @property
    def speech(self) -> SpeechWorker:
        assert self._speech is not None, "attach() first"
        return self._speech

    def attach(self, runner: Runner) -> None:
        super().attach(runner)
        runner.playback.origin = self.clock.origin  # the sound card stamps with time.monotonic()
        self._speech = SpeechWorker(runner.speaker, self._events.put, self.clock, runner.playback)

    def listen(self, reopen: Callable[[], Microphone], recognizer: Recognizer,
               canceller: EchoCanceller | None = None) -> None:  # fmt: skip
        """Hear the person through the microphone ``reopen()`` opens, on a thread of its own
        (taking the coach's voice out with ``canceller``); when the microphone is lost the
        session pauses and it is reopened with back-off."""
        microphone: Microphone | None = reopen()
        listener = Listener(recognizer, self.runner.phrases, self.runner.playback,
                            start=self.clock.now(), canceller=canceller)  # fmt: skip
        self._listener = listener
        listener.intents = self.runner.session.listening()

        def hear() -> None:
            nonlocal microphone
            backoff, lost = Backoff(), False
            while not self._stopping.is_set():
                if microphone is None:
                    if self._stopping.wait(backoff.next()):
                        break
                    try:
                        microphone = reopen()
                    except CoachError as exc:
                        log.info("microphone still missing: %s", exc)
                    continue
                try:
                    frame = microphone.read(listener.frame_bytes)
                except CoachError as exc:
                    if not lost:  # once, however often reopening it fails again
                        log.warning("%s; trying to get it back", exc)
                        self._events.put(DeviceLost(self.clock.now(), "microphone"))
                    lost = True
                    microphone.close()
                    microphone = None
                    continue
                if frame is None:
                    break
                if lost:  # it is back only when it delivers sound again
                    lost = False
                    backoff.reset()
                    self._events.put(DeviceBack(self.clock.now(), "microphone"))
                utterance = listener.feed(frame.pcm)
                # The frame says when it was heard: the listener's time follows the session
                # clock however late the microphone started or however much audio it dropped.
                listener.align(frame.t - self.clock.origin)
                if utterance is not None:
                    self._events.put(_Spoken(utterance, self.clock.now()))
            if microphone is not None:
                microphone.close()

        threading.Thread(target=hear, name="microphone", daemon=True).start()

    def interrupt(self) -> None:
        """Stop at once (from a signal handler or another thread): silence, save, end."""
        self.speech.silence()
        self._events.put(_Interrupted())

    @property
    def lines_waiting(self) -> tuple[str, ...]:
        """Typed lines held until the coach falls silent (shown in the terminal's status bar,
        so that a line typed mid-sentence is seen to be received)."""
        return tuple(self._deferred)

    def line(self, text: str) -> None:
        """The person said (typed) ``text``; safe to call from any thread."""
        self._events.put(_Line(text, self.clock.now()))

    def input_closed(self) -> None:
        """No more input will come; safe to call from any thread."""
        self._events.put(_InputClosed())

    def stop(self) -> None:
        runner = self.runner
        self._stopping.set()
        self.speech.close(drain=runner.end_reason != "interrupted")
        while not self._events.empty():
            item = self._events.get()
            if isinstance(item, _Output):
                runner.log_output(item.item, item.start, item.end)

    def handled(self) -> None:
        if self._listener is not None:
            self._listener.intents = self.runner.session.listening()

    def next_event(self) -> Event | None:
        runner = self.runner
        if self._deferred and self.speech.idle:
            return runner.typed(self.clock.now(), self._deferred.popleft())
        timeout = None
        if runner.timer_at is not None:
            timeout = max(0.0, runner.timer_at - self.clock.now())
        elif (
            not self._input_open
            and self.speech.idle
            and self._events.empty()
            and not self._deferred
        ):
            return NoInput(self.clock.now())
        try:
            item = self._events.get(timeout=timeout if timeout is not None else 0.5)
        except queue.Empty:
            if runner.timer_at is not None and self.clock.now() >= runner.timer_at:
                runner.timer_at = None
                return TimerDone(self.clock.now())
            return None
        match item:
            case _Output(item=done, start=start, end=end):
                runner.log_output(done, start, end)
                return None
            case _Line(text=text, t=t) if text.strip():
                return self._line(text, t)
            case _InputClosed():
                self._input_open = False
                return None
            case _Spoken(utterance=utterance, t=t):
                return runner.spoken(t, utterance)
            case DeviceLost(t=t, device=device) | DeviceBack(t=t, device=device):
                state = "lost" if isinstance(item, DeviceLost) else "back"
                runner.transcript.write(t, "device", device=device, state=state)
                print(f"voice-coach: the {device} is {'lost' if state == 'lost' else 'back'}.",
                      file=sys.stderr)  # fmt: skip
                return item
            case _Interrupted():
                runner.place_saved = runner.save_place(self.clock.now())
                runner.end_reason = "interrupted"
                return None
            case _Line():
                return None
            case _:
                return item

    def _line(self, text: str, t: float) -> Event | None:
        """While the coach speaks only a barge-in command cuts in; other lines wait their turn,
        so an answer is never taken for a question that has not been heard yet."""
        command = self.runner.phrases.parse(text)
        speaking = not self.speech.idle
        if (speaking or self._deferred) and (command is None or command.intent not in BARGE_IN):
            self._deferred.append(text)
            return None
        return self.runner.typed(t, text)

    def queue_output(self, item: Output) -> None:
        self.speech.add(item)

    def silence(self) -> None:
        self.speech.silence()
