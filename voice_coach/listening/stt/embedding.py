"""Google's speech embedding: what an utterance sounds like, as 192 numbers.

The model (Lin et al. 2020, "Training keyword spotters with limited and synthesized speech
data") turns 76 frames of mel spectrogram (0.775 s) into 96 numbers; it was trained on a large
amount of real speech to make keyword spotting work from few, even synthetic, examples. That
is the job here: pocketsphinx's verifier compares an utterance with generated examples of each
command (see ``stt/verifier.py``). The two ONNX files come from the openWakeWord 0.5.1 wheel
(``voice-coach models download speech-embedding``) and run on onnxruntime.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from voice_coach.audio.pcm import SAMPLE_RATE
from voice_coach.core.errors import CoachError

MEL_FILE = "melspectrogram.onnx"
EMBEDDING_FILE = "embedding_model.onnx"
WINDOW = 76
"""Mel frames (10 ms each) the embedding model looks at."""
STRIDE = 8
"""Mel frames between two embeddings (80 ms)."""
SIZE = 192
"""Numbers per utterance: the mean and the maximum of its 96-number embeddings."""
BATCH = 4
"""Windows embedded at once: a few at a time take as long as all at once, with far less memory
(docs/decisions.md)."""


class SpeechEmbedder:
    """Embeds a whole utterance (16 kHz 16-bit mono PCM)."""

    def __init__(self, folder: Path) -> None:
        try:
            import onnxruntime
        except ImportError:
            raise CoachError("onnxruntime is not installed: run scripts/setup.sh") from None
        options = onnxruntime.SessionOptions()
        # One thread each: an utterance is short work, and the coach shares a small machine
        # with its speech; no memory arena or pattern, which keep the largest buffers used.
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        options.enable_cpu_mem_arena = False
        options.enable_mem_pattern = False
        options.log_severity_level = 3

        def session(name: str) -> Any:
            path = folder / name
            if not path.is_file():
                raise CoachError(
                    f"{path} is missing: run 'voice-coach models download speech-embedding'"
                )
            return onnxruntime.InferenceSession(
                str(path), options, providers=["CPUExecutionProvider"]
            )

        self._mel = session(MEL_FILE)
        self._embedding = session(EMBEDDING_FILE)

    def embed(self, pcm: bytes) -> np.ndarray:
        """The mean and the maximum over the utterance of the embeddings of its windows."""
        return pooled(self.frames(pcm))

    def frames(self, pcm: bytes) -> np.ndarray:
        """The embeddings of the utterance's windows, one row of 96 numbers every 80 ms."""
        samples = np.frombuffer(pcm, dtype="<i2").astype(np.float32)
        if len(samples) < SAMPLE_RATE:  # at least one window of mel frames
            samples = np.concatenate([samples, np.zeros(SAMPLE_RATE - len(samples), np.float32)])
        (mel,) = self._mel.run(None, {self._mel.get_inputs()[0].name: samples[None, :]})
        # The scaling the embedding model was converted with (openWakeWord's utils).
        mel = np.squeeze(mel) / 10 + 2
        windows = np.stack(
            [mel[i : i + WINDOW] for i in range(0, mel.shape[0] - WINDOW + 1, STRIDE)]
        )
        windows = windows[..., None].astype(np.float32)
        name = self._embedding.get_inputs()[0].name
        return np.concatenate([
            self._embedding.run(None, {name: windows[i : i + BATCH]})[0].reshape(-1, SIZE // 2)
            for i in range(0, len(windows), BATCH)
        ])  # fmt: skip


def pooled(frames: np.ndarray) -> np.ndarray:
    """An utterance's window embeddings as ``SIZE`` numbers: their mean and their maximum."""
    return np.concatenate([frames.mean(axis=0), frames.max(axis=0)])
