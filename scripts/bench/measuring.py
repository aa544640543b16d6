"""Measuring a listener on a set: ``voice-coach eval`` or the peer, each as its own process,
or results kept from an earlier run.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

from bench.scores import OURS, PEER
from bench.sets import ROOT, BenchSet

EARS = {"grammar alone": "grammar", "spotter alone": "spotter", OURS: "both"}
"""The coach's listeners measured, and how ``voice-coach eval --ears`` names them."""


def run_eval(bench: BenchSet, out: Path, who: str) -> dict:
    """Measure ``who`` (one of ``EARS``, or ``PEER``) on ``bench`` in a process of its own; its
    results, also written to ``out``."""
    if who == PEER:
        command = [sys.executable, str(ROOT / "scripts" / "bench_listening.py"), "--peer",
                   str(bench.manifest), str(out), bench.engine, bench.locale]  # fmt: skip
    else:
        command = [sys.executable, "-m", "voice_coach", "eval", str(bench.manifest), "--engine",
                   bench.engine, "--locale", bench.locale, "--ears", EARS[who],
                   "--json", str(out)]  # fmt: skip
    began = time.time()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    print(f"  {who} on {bench.name}: {time.time() - began:.0f} s")
    return json.loads(out.read_text())


def measured(bench: BenchSet, who: str, work: Path, earlier: list[Path],
             reused: list[str]) -> dict:  # fmt: skip
    """One listener's results on a set: from an earlier run's folder when it has them (noted
    in ``reused``, with when they were measured), else measured now (and kept in ``work``)."""
    name = f"{bench.slug}-{who.replace(' ', '-')}.json"
    for folder in earlier:
        if (folder / name).is_file():
            print(f"  {who} on {bench.name}: from {folder / name}")
            shutil.copy2(folder / name, work / name)  # keeps when it was measured
            when = time.strftime("%Y-%m-%d %H:%M", time.localtime((folder / name).stat().st_mtime))
            reused.append(f"{who} on {bench.name} (measured {when})")
            return json.loads((work / name).read_text())
    return run_eval(bench, work / name, who)
