"""Property tests: whatever bytes a routine file, a saved state file, a WAV file or an eval
manifest holds, the coach gives a clear message naming the file (or reads it correctly), never a
traceback. hypothesis generates the files, starting from good ones and breaking them."""

from __future__ import annotations

import json
import struct
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from voice_coach.app.catalog import shipped_dir
from voice_coach.core.commands import PhraseBook
from voice_coach.core.errors import CoachError, DataFileError
from voice_coach.core.plan import Plan
from voice_coach.core.progress import Progress
from voice_coach.core.routine import load_routine
from voice_coach.listening.evaluation import read_manifest
from voice_coach.run.store import PreferenceStore, ProgressStore

SHIPPED = (shipped_dir() / "foot-massage.toml").read_text()
ROUTINE = load_routine(shipped_dir() / "foot-massage.toml")
FAST = settings(max_examples=150, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip


def mutations(text: str) -> st.SearchStrategy[bytes]:
    """A file broken the ways files get broken: a piece cut out, a piece repeated, bytes
    replaced, arbitrary text inserted (TOML-ish tokens among it), or cut short."""
    data = text.encode()
    position = st.integers(0, len(data))
    tokens = st.sampled_from([b"[", b"]", b"[[", b"=", b'"', b"'", b"\n", b".", b"inf", b"nan",
                              b"1e300", b"-1", b"{", b"}", b"\xff", b"\x00", b"true", b"[[steps]]",
                              b"hold = ", b"a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p.q.r = 1"])  # fmt: skip
    inserted = st.lists(st.one_of(tokens, st.binary(max_size=8)), max_size=6).map(b"".join)

    def apply(cut: tuple[int, int], at: int, extra: bytes, repeat: int) -> bytes:
        start, end = sorted(cut)
        body = data[:start] + data[end:] if repeat == 0 else data[:end] + data[start:end] * repeat
        return body[:at] + extra + body[at:]

    return st.builds(apply, st.tuples(position, position), position, inserted,
                     st.integers(0, 3))  # fmt: skip


def written(data: bytes, name: str) -> Path:
    folder = Path(tempfile.mkdtemp(prefix="malformed-"))
    path = folder / name
    path.write_bytes(data)
    return path


@FAST
@given(mutations(SHIPPED))
def test_a_broken_routine_file_is_a_message_with_its_name_or_a_working_routine(data: bytes):
    path = written(data, "routine.toml")
    try:
        routine = load_routine(path)
    except DataFileError as exc:
        assert str(exc).startswith(f"{path}")
        assert exc.problem and "Traceback" not in str(exc)
        return
    for variant in routine.variants:  # what loads, runs
        plan = Plan(routine, variant.id)
        assert plan.stops and all(0 <= stop.hold <= 3600 for stop in plan.stops)
    PhraseBook.load("en")


@FAST
@given(st.one_of(
    mutations(json.dumps(Progress("foot-massage", "standard", "arch-rubs", "left",
                                  ("achilles",)).to_json())),
    st.binary(max_size=200),
    st.recursive(st.none() | st.booleans() | st.floats() | st.integers() | st.text(max_size=5),
                 lambda inner: st.lists(inner, max_size=3)
                 | st.dictionaries(st.text(max_size=5), inner, max_size=3),
                 max_leaves=20).map(lambda v: json.dumps(v).encode()),
))  # fmt: skip
def test_a_damaged_progress_file_is_moved_aside_or_read(data: bytes):
    folder = Path(tempfile.mkdtemp(prefix="state-"))
    store = ProgressStore(folder)
    path = store.path("foot-massage", "standard", "en")
    path.parent.mkdir(parents=True)
    path.write_bytes(data)
    loaded = store.load("foot-massage", "standard", "en")
    if loaded is None:
        kept = [p.read_bytes() for p in path.parent.glob("*.damaged*")]
        assert kept == [data] and not path.exists()  # moved aside, never lost
    else:
        assert isinstance(loaded, Progress) and path.read_bytes() == data


@FAST
@given(st.one_of(st.binary(max_size=100), mutations('{"rate": -2, "volume": 3}')))
def test_damaged_preferences_give_levels_in_range_or_none(data: bytes):
    folder = Path(tempfile.mkdtemp(prefix="prefs-"))
    (folder / "preferences.json").write_bytes(data)
    levels = PreferenceStore(folder).load()
    assert set(levels) <= {"rate", "volume"}
    assert all(type(v) is int and -4 <= v <= 4 for v in levels.values())


@st.composite
def wav_files(draw: st.DrawFn) -> bytes:
    """A WAV file whose header says anything: rate, channels, width, sizes, format."""
    rate = draw(st.one_of(st.sampled_from([0, 1, 8000, 16000, 44100, 2**32 - 1]),
                          st.integers(0, 2**32 - 1)))  # fmt: skip
    channels = draw(st.integers(0, 70))
    width = draw(st.integers(0, 6))
    audio_format = draw(st.sampled_from([1, 1, 1, 3, 0xFFFE, 0]))
    body = draw(st.binary(max_size=400))
    claimed = draw(st.one_of(st.just(len(body)), st.integers(0, 2**32 - 1)))
    fmt = struct.pack("<HHIIHH", audio_format, channels % 65536, rate,
                      (rate * channels * width) % 2**32, (channels * width) % 65536,
                      width * 8)  # fmt: skip
    wav = (b"RIFF" + struct.pack("<I", (36 + claimed) % 2**32) + b"WAVEfmt "
           + struct.pack("<I", 16) + fmt + b"data" + struct.pack("<I", claimed) + body)  # fmt: skip
    return wav[: draw(st.integers(0, len(wav)))] if draw(st.booleans()) else wav


@FAST
@given(wav_files())
def test_any_wav_header_reads_in_bounded_blocks_or_is_refused_with_its_name(data: bytes):
    from voice_coach.audio.microphones import WavMicrophone

    path = written(data, "clip.wav")
    try:
        microphone = WavMicrophone(path)
    except CoachError as exc:
        assert str(path) in str(exc)
        return
    total = 0
    try:
        while (chunk := microphone.read(3200)) is not None:
            total += len(chunk.pcm)
            assert total < 16000 * 2 * 10  # 400 bytes of audio and a second of room, no more
    except CoachError as exc:
        assert str(path) in str(exc)
    finally:
        microphone.close()


@FAST
@given(mutations("path,expected,context\nclip.wav,yes,question\nclip.wav,none,routine\n"))
def test_a_broken_manifest_is_a_message_with_its_line_or_a_list_of_clips(data: bytes):
    path = written(data, "manifest.csv")
    (path.parent / "clip.wav").write_bytes(
        b"RIFF$\x00\x00\x00WAVEfmt \x10\x00\x00\x00\x01\x00\x01\x00\x80>\x00\x00\x00}\x00\x00"
        b"\x02\x00\x10\x00data\x00\x00\x00\x00"
    )
    try:
        clips = read_manifest(path, ROUTINE)
    except DataFileError as exc:
        assert str(exc).startswith(str(path))
        return
    assert all(clip.path.is_relative_to(path.parent) for clip in clips)
