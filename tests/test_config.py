"""The settings file: read, checked with file:line errors, and overridden by the command line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from voice_coach.app.cli import build_parser, run_settings
from voice_coach.app.config import load_config
from voice_coach.core.errors import DataFileError


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text)
    return path


def test_settings_are_read_and_the_command_line_wins(tmp_path: Path):
    config = load_config(write(tmp_path, 'locale = "ko"\nvoice = "natural"\nvolume = 2\n'
                                         'chimes = false\nmic = "USB"\n'))  # fmt: skip
    settings = run_settings(build_parser().parse_args(["run", "--voice", "default"]), config)
    assert settings.locale == "ko" and settings.mic == "USB" and settings.chimes is False
    assert settings.voice == "default"  # the command line wins
    assert settings.volume == 2 and settings.rate is None


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        (
            'locale = "en"\nvolume = 9\n',
            2,
            "'volume' (volume level, 0 is normal) must be a whole number from -4 to 4",
        ),
        ('engine = "whisper"\n', 1, "must be one of: auto, vosk, pocketsphinx"),
        ('\n\nspeeker = "USB"\n', 3, "unknown setting 'speeker'"),
        ('chimes = "yes"\n', 1, "must be true or false"),
        ("voice = \n", 1, "not valid TOML"),
    ],
)
def test_a_bad_value_names_file_line_and_key(tmp_path: Path, text: str, line: int, words: str):
    path = write(tmp_path, text)
    with pytest.raises(DataFileError) as caught:
        load_config(path)
    assert str(caught.value).startswith(f"{path}:{line}: ")
    assert words in str(caught.value)


def test_the_coach_refuses_to_start_with_a_bad_settings_file(tmp_path: Path):
    (tmp_path / "voice-coach").mkdir()
    (tmp_path / "voice-coach/config.toml").write_text('rate = "fast"\n')
    done = subprocess.run([sys.executable, "-m", "voice_coach", "run", "--input", "text"],
                          input="", capture_output=True, text=True, check=False,
                          env={"XDG_CONFIG_HOME": str(tmp_path), "PATH": ""})  # fmt: skip
    assert done.returncode == 2
    assert done.stderr.startswith(f"{tmp_path}/voice-coach/config.toml:1: 'rate'")
