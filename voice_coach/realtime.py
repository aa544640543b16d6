"""The real-time run: a speech thread, an input thread, and the main loop that owns the session.

Only the main thread touches the session; the other threads post to its queue. Speech is
queued on a worker so the coach can be cut off mid-sentence ("stop") and so a long answer
never blocks listening.
"""

from __future__ import annotations

import queue
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from voice_coach.clock import RealClock
from voice_coach.events import Event, NoInput, Say, SpeechDone, Start, StepStarted, TimerDone
from voice_coach.ports import Output, Speaker
from voice_coach.runner import Runner
from voice_coach.session import BARGE_IN


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


_Item = Event | _Output | _Line | _InputClosed


class SpeechWorker:
    """Speaks queued utterances one after another on its own thread; can be cut off at once."""

    def __init__(self, speaker: Speaker, post: Callable[[_Item], None], clock: RealClock) -> None:
        self._speaker = speaker
        self._post = post
        self._clock = clock
        self._queue: deque[Output] = deque()
        self._cond = threading.Condition()
        self._cancel = threading.Event()
        self._busy = False
        self._closed = False
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

    def close(self) -> None:
        """Let queued speech finish, then stop the thread."""
        with self._cond:
            self._closed = True
            self._cond.notify()
        self._thread.join()

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
                self._speaker.speak(item, self._cancel, start)
            if isinstance(item, Say):
                last_said = item.utterance
            self._post(_Output(item, start, self._clock.now()))


class RealtimeRunner(Runner):
    """Runs a session in real time; input arrives through :meth:`line` from other threads."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.clock = RealClock()
        self._events: queue.Queue[_Item] = queue.Queue()
        self._speech = SpeechWorker(self.speaker, self._events.put, self.clock)
        self._input_open = True
        self._deferred: deque[str] = deque()
        self.lock = threading.Lock()
        """Held while the session changes; the terminal display takes it to read a snapshot."""

    def line(self, text: str) -> None:
        """The person said (typed) ``text``; safe to call from any thread."""
        self._events.put(_Line(text, self.clock.now()))

    def input_closed(self) -> None:
        """No more input will come; safe to call from any thread."""
        self._events.put(_InputClosed())

    def run(self) -> str:
        """Run to the end; return the end reason."""
        self._handle(Start(self.clock.now()))
        while self.end_reason is None:
            event = self._next_event()
            if event is not None:
                self._handle(event)
        self._speech.close()
        while not self._events.empty():
            item = self._events.get()
            if isinstance(item, _Output):
                self.log_output(item.item, item.start, item.end)
        self.finish(self.clock.now())
        return self.end_reason

    def _handle(self, event: Event) -> None:
        with self.lock:
            self.execute(self.session.handle(event), event.t)

    def _next_event(self) -> Event | None:
        if self._deferred and self._speech.idle:
            return self.heard(self.clock.now(), self._deferred.popleft())
        timeout = None
        if self.timer_at is not None:
            timeout = max(0.0, self.timer_at - self.clock.now())
        elif (
            not self._input_open
            and self._speech.idle
            and self._events.empty()
            and not self._deferred
        ):
            return NoInput(self.clock.now())
        try:
            item = self._events.get(timeout=timeout if timeout is not None else 0.5)
        except queue.Empty:
            if self.timer_at is not None and self.clock.now() >= self.timer_at:
                self.timer_at = None
                return TimerDone(self.clock.now())
            return None
        match item:
            case _Output(item=done, start=start, end=end):
                self.log_output(done, start, end)
                return None
            case _Line(text=text, t=t) if text.strip():
                return self._line(text, t)
            case _InputClosed():
                self._input_open = False
                return None
            case _Line():
                return None
            case _:
                return item

    def _line(self, text: str, t: float) -> Event | None:
        """While the coach speaks only a barge-in command cuts in; other lines wait their turn,
        so an answer is never taken for a question that has not been heard yet."""
        command = self.phrases.parse(text)
        speaking = not self._speech.idle
        if (speaking or self._deferred) and (command is None or command.intent not in BARGE_IN):
            self._deferred.append(text)
            return None
        return self.heard(t, text)

    def queue_output(self, item: Output) -> None:
        self._speech.add(item)

    def silence(self) -> None:
        self._speech.silence()
