"""Saved progress survives crashes: atomic writes, damaged files set aside, owner-only files."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from voice_coach.core.progress import Progress
from voice_coach.run.store import PreferenceStore, ProgressStore

PROGRESS = Progress("foot-massage", "standard", "toe-bends", "left", ("achilles",))


def test_progress_round_trips_and_is_owner_only(tmp_path: Path):
    store = ProgressStore(tmp_path / "state")
    store.save(PROGRESS, "en")
    assert store.load("foot-massage", "standard", "en") == PROGRESS
    path = store.path("foot-massage", "standard", "en")
    assert path.stat().st_mode & 0o777 == 0o600
    assert list(path.parent.iterdir()) == [path]  # no temporary files left behind
    store.clear("foot-massage", "standard", "en")
    assert store.load("foot-massage", "standard", "en") is None


def test_progress_is_kept_per_variant_and_locale(tmp_path: Path):
    store = ProgressStore(tmp_path)
    store.save(PROGRESS, "en")
    assert store.load("foot-massage", "quick", "en") is None
    assert store.load("foot-massage", "standard", "ko") is None


def test_a_damaged_progress_file_is_set_aside_not_lost(tmp_path: Path, caplog):
    store = ProgressStore(tmp_path)
    path = store.path("foot-massage", "standard", "en")
    path.parent.mkdir(parents=True)
    path.write_text('{"format": 1, "routine": "foot')
    assert store.load("foot-massage", "standard", "en") is None
    aside = path.with_name(path.name + ".damaged")
    assert aside.read_text() == '{"format": 1, "routine": "foot'
    assert "moved it to" in caplog.text
    path.write_text('{"format": 99}')
    assert store.load("foot-massage", "standard", "en") is None


def test_preferences_merge(tmp_path: Path):
    prefs = PreferenceStore(tmp_path)
    prefs.save({"rate": -2})
    prefs.save({"volume": 1})
    assert prefs.load() == {"rate": -2, "volume": 1}


WRITER = """
import sys
from pathlib import Path
from voice_coach.core.progress import Progress
from voice_coach.run.store import ProgressStore
store = ProgressStore(Path(sys.argv[1]))
steps = ["soak", "arch-rubs", "toe-bends", "thumb-work"]
i = 0
print("ready", flush=True)
while True:
    store.save(Progress("foot-massage", "standard", steps[i % 4], "right", ("x",) * (i % 50)), "en")
    i += 1
"""


def test_kill_9_during_saves_never_leaves_a_corrupt_file(tmp_path: Path):
    store = ProgressStore(tmp_path)
    for attempt in range(15):
        writer = subprocess.Popen([sys.executable, "-c", WRITER, str(tmp_path)],
                                  stdout=subprocess.PIPE, text=True)  # fmt: skip
        assert writer.stdout is not None and writer.stdout.readline() == "ready\n"
        time.sleep(0.05 + 0.013 * attempt)
        os.kill(writer.pid, signal.SIGKILL)
        writer.wait()
        loaded = store.load("foot-massage", "standard", "en")
        assert loaded is not None and loaded.step in {
            "soak",
            "arch-rubs",
            "toe-bends",
            "thumb-work",
        }
        assert not list(tmp_path.rglob("*.damaged"))


def test_each_damaged_file_gets_its_own_copy_and_none_is_overwritten(tmp_path: Path):
    store = ProgressStore(tmp_path)
    path = store.path("foot-massage", "standard", "en")
    path.parent.mkdir(parents=True)
    damaged = [b"\xff\xfe not utf-8", b"[" * 5000 + b"]" * 5000, b'{"format": 1, "step": NaN}',
               b"x" * (100 << 10)]  # fmt: skip
    for content in damaged:
        path.write_bytes(content)
        assert store.load("foot-massage", "standard", "en") is None
        assert not path.exists()
    copies = sorted(path.parent.glob("*.damaged*"))
    assert sorted(p.read_bytes() for p in copies) == sorted(damaged)


def test_a_folder_where_the_progress_file_should_be_is_moved_aside(tmp_path: Path):
    store = ProgressStore(tmp_path)
    path = store.path("foot-massage", "standard", "en")
    (path / "inside").mkdir(parents=True)
    assert store.load("foot-massage", "standard", "en") is None
    assert (path.with_name(path.name + ".damaged") / "inside").is_dir()
    store.save(PROGRESS, "en")
    assert store.load("foot-massage", "standard", "en") == PROGRESS


def test_temporary_files_of_killed_saves_are_cleaned_up_but_not_fresh_ones(tmp_path: Path):
    folder = tmp_path / "progress"
    folder.mkdir()
    stale, fresh = folder / ".a.json.x1.tmp", folder / ".a.json.x2.tmp"
    stale.write_text("{")
    fresh.write_text("{")
    os.utime(stale, (time.time() - 3600, time.time() - 3600))
    ProgressStore(tmp_path)
    assert not stale.exists() and fresh.exists()


def test_voice_levels_out_of_range_or_of_the_wrong_kind_are_ignored(tmp_path: Path):
    (tmp_path / "preferences.json").write_text('{"rate": 1000, "volume": -2, "x": 1}')
    assert PreferenceStore(tmp_path).load() == {"volume": -2}
    (tmp_path / "preferences.json").write_text('{"rate": 2.5, "volume": true}')
    assert PreferenceStore(tmp_path).load() == {}
