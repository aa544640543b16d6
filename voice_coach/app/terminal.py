"""Typed input for real-time text mode: plain standard input, or a prompt with a live status bar.

In an interactive terminal, prompt_toolkit keeps the input line at the bottom with a toolbar
showing the current step and the hold's progress, while the coach's lines scroll above it.
When standard input is piped, lines are read plainly and nothing but the coach's words is printed.
"""

from __future__ import annotations

import _thread
import functools
import sys
import threading
import time
from collections.abc import Callable

from voice_coach.run.runner import parse_script_line

LineCallback = Callable[[str], None]
ClosedCallback = Callable[[], None]


def start_stdin_reader(on_line: LineCallback, on_closed: ClosedCallback) -> None:
    """Read standard input on a thread; ``+SECONDS`` before a line waits that long first."""

    def read() -> None:
        for raw in sys.stdin:
            line = parse_script_line(raw)
            if line.delay:
                time.sleep(line.delay)
            if line.text:
                on_line(line.text)
        on_closed()

    threading.Thread(target=read, name="stdin", daemon=True).start()


def start_prompt(
    on_line: LineCallback, on_closed: ClosedCallback, toolbar: Callable[[], str]
) -> Callable[[], None]:
    """Read lines at a prompt with a live toolbar; returns a function that stops the prompt."""
    from prompt_toolkit import PromptSession
    from prompt_toolkit.patch_stdout import patch_stdout

    session: PromptSession[str] = PromptSession(bottom_toolbar=toolbar, refresh_interval=0.5)
    patch = patch_stdout(raw=True)
    patch.__enter__()

    stopping = threading.Event()

    def read() -> None:
        try:
            while not stopping.is_set():
                on_line(session.prompt("say> ", handle_sigint=False))
        except EOFError:
            if not stopping.is_set():
                on_closed()
        except KeyboardInterrupt:
            _thread.interrupt_main()  # Ctrl-C at the prompt stops the run like anywhere else

    reader = threading.Thread(target=read, name="prompt", daemon=True)

    def stop() -> None:
        """End the prompt and wait for it to clear its line and toolbar from the screen, so
        that the shell gets a clean terminal back."""
        stopping.set()
        app = session.app
        deadline = time.monotonic() + 2.0
        while reader.is_alive() and time.monotonic() < deadline:
            future = app.future
            if app.is_running and app.loop is not None and future and not future.done():
                app.erase_when_done = True  # the last, unanswered prompt goes with its toolbar
                app.loop.call_soon_threadsafe(functools.partial(app.exit, exception=EOFError))
            reader.join(timeout=0.1)
        patch.__exit__(None, None, None)

    reader.start()
    return stop


def progress_bar(elapsed: float, length: float, width: int = 24) -> str:
    """``[#########---------------] 0:25 left`` for a hold."""
    share = 0.0 if length <= 0 else min(1.0, elapsed / length)
    filled = round(share * width)
    left = max(0, round(length - elapsed))
    return f"[{'#' * filled}{'-' * (width - filled)}] {left // 60}:{left % 60:02d} left"
