"""Spectral gating: the steady noise around a spoken command (a fan, a TV's hiss, a noisy
microphone) quietened before the command is decoded.

The method of ``noisereduce``'s stationary gate: per frequency, the level that the utterance's
own frames exceed only when something stands out (mean + 1.5 standard deviations, in dB) is taken
as the noise; bins below it are turned down, through a mask smoothed over 500 Hz and 50 ms so
that speech edges are not chopped. Written here in NumPy because the library itself needs
SciPy's signal module and Matplotlib (docs/decisions.md).
"""

from __future__ import annotations

import numpy as np

FFT_SIZE = 512
HOP = FFT_SIZE // 4
THRESHOLD_STD = 1.5
"""Standard deviations above a bin's mean level at which it counts as standing out."""
REDUCTION = 0.8
"""How far the bins that do not stand out are turned down (0.8: to a fifth, -14 dB; the
value: docs/decisions.md)."""
SMOOTH_HZ = 500.0
SMOOTH_MS = 50.0


def denoised(samples: np.ndarray, rate: int) -> np.ndarray:
    """``samples`` (float, any scale) with steady background noise turned down; same length."""
    if len(samples) < FFT_SIZE:
        return samples
    window = np.hanning(FFT_SIZE + 1)[:-1]
    padded = np.pad(samples.astype(np.float64), FFT_SIZE // 2)
    count = 1 + (len(padded) - FFT_SIZE) // HOP
    index = np.arange(FFT_SIZE)[None, :] + HOP * np.arange(count)[:, None]
    spectrum = np.fft.rfft(padded[index] * window, axis=1)
    level = 20 * np.log10(np.abs(spectrum) + np.finfo(np.float64).eps)
    level = np.maximum(level, level.max(axis=0) - 80.0)
    threshold = level.mean(axis=0) + THRESHOLD_STD * level.std(axis=0)
    mask = (level > threshold) * REDUCTION + (1.0 - REDUCTION)
    mask = _smoothed(mask, int(SMOOTH_MS / (1000 * HOP / rate)), axis=0)
    mask = _smoothed(mask, int(SMOOTH_HZ / (rate / (FFT_SIZE / 2))), axis=1)
    frames = np.fft.irfft(spectrum * mask, n=FFT_SIZE, axis=1) * window
    out = np.zeros(len(padded))
    weight = np.zeros(len(padded))
    np.add.at(out, index, frames)
    np.add.at(weight, index, np.broadcast_to(window**2, frames.shape))
    out /= np.maximum(weight, 1e-8)
    return out[FFT_SIZE // 2 : FFT_SIZE // 2 + len(samples)]


def _smoothed(mask: np.ndarray, steps: int, axis: int) -> np.ndarray:
    """``mask`` convolved along ``axis`` with a triangle ``steps`` wide either side."""
    if steps < 1:
        return mask
    ramp = np.linspace(0, 1, steps + 1, endpoint=False)[1:]
    kernel = np.concatenate([ramp, [1.0], ramp[::-1]])
    kernel /= kernel.sum()
    return np.apply_along_axis(np.convolve, axis, mask, kernel, mode="same")
