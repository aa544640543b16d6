"""``voice-coach doctor`` names each problem and what to do about it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def doctor(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "voice_coach", "doctor"], capture_output=True,
                          text=True, env=env, timeout=120, check=False)  # fmt: skip


def test_with_no_audio_devices_it_says_exactly_that(tmp_path: Path):
    env = {k: v for k, v in os.environ.items() if k != "XDG_RUNTIME_DIR"}
    env.update(PULSE_SERVER="unix:/nonexistent", XDG_CONFIG_HOME=str(tmp_path))
    done = doctor(env)
    assert done.returncode == 1
    lines = done.stdout.splitlines()
    assert "FAIL  speaker: no audio output device found: plug in a USB speaker" in "\n".join(lines)
    assert "FAIL  microphone: no audio input device found: plug in a USB microphone" in done.stdout
    assert any(line.startswith("ok    voice:") for line in lines)
    recogniser = next(line for line in lines if line.startswith("ok    recogniser: pocketsphinx"))
    assert recogniser.endswith("checked by the speech embedding")  # setup.sh downloaded it
    assert lines[-1] == "2 problem(s): speaker, microphone"


def test_a_settings_file_others_can_read_is_flagged(tmp_path: Path):
    (tmp_path / "voice-coach").mkdir()
    settings = tmp_path / "voice-coach/config.toml"
    settings.write_text('locale = "en"\n')
    settings.chmod(0o644)
    env = dict(os.environ, XDG_CONFIG_HOME=str(tmp_path), PULSE_SERVER="unix:/nonexistent")
    env.pop("XDG_RUNTIME_DIR", None)
    done = doctor(env)
    assert f"FAIL  settings: {settings} can be read by other users" in done.stdout
    assert f"chmod 600 {settings}" in done.stdout
