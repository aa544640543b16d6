"""The interactive prompt in a real pseudo-terminal: typed lines reach the coach (and are seen
to), and quitting, finishing and Ctrl-C all end with exit status 0 and the terminal given back
clean. The screen is rendered by a terminal emulator (pyte), which also answers the prompt's
cursor-position requests as a real terminal does."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pexpect
import pyte
import pytest

SHORT = """
id = "short"
title = "Short"
locale = "en"
welcome = "Hi."
closing = "All done."
[[safety]]
id = "one"
question = "Any problem?"
if_yes = "end"
message = "Then stop."
[[steps]]
id = "rub"
title = "Rub"
say = "Rub."
hold = 0
"""
COLUMNS, ROWS = 100, 24
CURSOR_POSITION_REQUEST = "\x1b[6n"


class Terminal:
    """``voice-coach run`` (text in and out) in a pseudo-terminal, with its screen rendered."""

    def __init__(self, folder: Path, routine_text: str) -> None:
        routine = folder / "routine.toml"
        routine.write_text(routine_text)
        env = dict(os.environ, XDG_STATE_HOME=str(folder / "state"),
                   XDG_CONFIG_HOME=str(folder / "config"), TERM="xterm")  # fmt: skip
        self.child = pexpect.spawn(
            sys.executable, ["-m", "voice_coach", "run", "--input", "text", "--output", "text",
                             "--routine", str(routine), "--fresh"],
            env=env, encoding="utf-8", timeout=30, dimensions=(ROWS, COLUMNS),
        )  # fmt: skip
        self.screen = pyte.Screen(COLUMNS, ROWS)
        self.stream = pyte.Stream(self.screen)
        self.ended = False

    def _pump(self, seconds: float) -> None:
        """Render what the program wrote in the next ``seconds``, answering cursor requests."""
        try:
            data = self.child.read_nonblocking(65536, timeout=seconds)
        except pexpect.TIMEOUT:
            return
        except pexpect.EOF:
            self.ended = True
            return
        for index, piece in enumerate(data.split(CURSOR_POSITION_REQUEST)):
            if index:
                y, x = self.screen.cursor.y + 1, self.screen.cursor.x + 1
                self.child.send(f"\x1b[{y};{x}R")
            self.stream.feed(piece)

    def lines(self) -> list[str]:
        lines = [line.rstrip() for line in self.screen.display]
        while lines and not lines[-1]:
            lines.pop()
        return lines

    def shows(self, text: str, seconds: float = 30.0) -> list[str]:
        """Wait until ``text`` is on the rendered screen; the screen's lines."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and not self.ended:
            self._pump(0.1)
            if any(text in line for line in self.lines()):
                return self.lines()
        pytest.fail(f"never shown: {text!r}\n" + "\n".join(self.lines()))

    def type(self, line: str) -> None:
        self.child.send(line + "\r")

    def ended_cleanly(self) -> list[str]:
        """Wait for the end: exit status 0, no traceback, and neither a prompt nor the status
        bar left for the shell to type into. The screen's lines."""
        deadline = time.monotonic() + 30
        while not self.ended and time.monotonic() < deadline:
            self._pump(0.1)
        self.child.close()
        lines = self.lines()
        shown = "\n".join(lines)
        assert self.child.exitstatus == 0, shown
        assert "Traceback" not in shown and "Error" not in shown, shown
        assert not lines[-1].startswith("say>"), shown
        assert not any(line.startswith(" Safety check") or line.startswith(" Step")
                       or line.startswith(" (waiting") for line in lines), shown  # fmt: skip
        return lines


@pytest.fixture
def terminal(tmp_path: Path):
    running = Terminal(tmp_path, SHORT)
    yield running
    running.child.close(force=True)


def test_the_prompt_shows_a_status_bar(terminal: Terminal):
    lines = terminal.shows(" Safety check, question 1 of 1 (yes / no)")
    assert "say>" in "\n".join(lines)


def test_quit_at_the_prompt_ends_with_0_and_a_clean_screen(terminal: Terminal):
    terminal.shows("Any problem?")
    terminal.type("quit")
    terminal.shows("end the session")
    terminal.type("yes")
    lines = terminal.ended_cleanly()
    assert lines[-1] == "Okay. Goodbye. Next time we start with the safety questions."


def test_finishing_the_routine_ends_with_0_and_a_clean_screen(terminal: Terminal):
    terminal.shows("Any problem?")
    terminal.type("no")
    terminal.shows("Say next when you are ready")
    terminal.type("next")
    assert terminal.ended_cleanly()[-1] == "All done."


def test_ctrl_c_at_the_prompt_stops_with_0_and_a_clean_screen(terminal: Terminal):
    terminal.shows("say>")
    terminal.shows("Any problem?")
    terminal.child.sendintr()
    assert terminal.ended_cleanly()[-1].startswith("voice-coach: stopped.")


def test_a_line_typed_while_the_coach_talks_is_shown_as_waiting(tmp_path: Path):
    terminal = Terminal(tmp_path, SHORT.replace('"Hi."', '"' + "Hello there. " * 12 + '"'))
    try:
        terminal.shows("say>")
        terminal.type("no")
        lines = terminal.shows(" (waiting: no; after I finish speaking)")
        assert "Any problem?" not in "\n".join(lines)  # still the welcome: the line waits
        terminal.shows("Step 1 of 1. Rub.")  # and then answers the question
    finally:
        terminal.child.close(force=True)
