"""speexdsp's acoustic echo canceller (Xiph; BSD licence), through its C library.

The library is Debian's and Raspberry Pi OS's ``libspeexdsp1`` (``scripts/apt-packages.txt``):
kept by the Xiph project, small, and fast on a Pi. No Python binding of it is both kept up and
published for ARM, so its functions are called here through ctypes. Why speexdsp and not
WebRTC's canceller: docs/decisions.md.
"""

from __future__ import annotations

import ctypes
import ctypes.util
from typing import Any

import numpy as np

from voice_coach.core.errors import CoachError

_ECHO_SET_SAMPLING_RATE = 24
_PREPROCESS_SET_DENOISE = 0
_PREPROCESS_SET_ECHO_SUPPRESS = 20
_PREPROCESS_SET_ECHO_SUPPRESS_ACTIVE = 22
_PREPROCESS_SET_ECHO_STATE = 24
INSTALL = "install it with: sudo apt-get install libspeexdsp1 (scripts/setup.sh does)"


def _library() -> Any:
    name = ctypes.util.find_library("speexdsp") or "libspeexdsp.so.1"
    try:
        lib = ctypes.CDLL(name)
    except OSError:
        raise CoachError(f"speexdsp (the echo canceller) is not installed: {INSTALL}") from None
    pointer, short_p, c_int = ctypes.c_void_p, ctypes.POINTER(ctypes.c_int16), ctypes.c_int
    lib.speex_echo_state_init.restype = pointer
    lib.speex_echo_state_init.argtypes = [c_int, c_int]
    lib.speex_echo_cancellation.argtypes = [pointer, short_p, short_p, short_p]
    lib.speex_echo_ctl.argtypes = [pointer, c_int, pointer]
    lib.speex_echo_state_destroy.argtypes = [pointer]
    lib.speex_echo_state_reset.argtypes = [pointer]
    lib.speex_preprocess_state_init.restype = pointer
    lib.speex_preprocess_state_init.argtypes = [c_int, c_int]
    lib.speex_preprocess_ctl.argtypes = [pointer, c_int, pointer]
    lib.speex_preprocess_run.argtypes = [pointer, short_p]
    lib.speex_preprocess_state_destroy.argtypes = [pointer]
    return lib


class SpeexEchoCanceller:
    """Takes the echo of ``reference`` (what was played) out of ``microphone``, a frame at a
    time; then its preprocessor suppresses the echo left (no noise suppression: the
    recognisers are fitted on unprocessed noise)."""

    def __init__(self, frame: int, filter_length: int, rate: int,
                 suppress_db: int = -40) -> None:  # fmt: skip
        self._lib = _library()
        self.frame = frame
        self._echo = self._lib.speex_echo_state_init(frame, filter_length)
        self._pre = self._lib.speex_preprocess_state_init(frame, rate)
        value = ctypes.c_int(rate)
        self._lib.speex_echo_ctl(self._echo, _ECHO_SET_SAMPLING_RATE, ctypes.byref(value))
        off = ctypes.c_int(0)
        self._lib.speex_preprocess_ctl(self._pre, _PREPROCESS_SET_DENOISE, ctypes.byref(off))
        settings = ((_PREPROCESS_SET_ECHO_SUPPRESS, suppress_db),
                    (_PREPROCESS_SET_ECHO_SUPPRESS_ACTIVE, suppress_db // 2))  # fmt: skip
        for request, setting in settings:
            value = ctypes.c_int(setting)
            self._lib.speex_preprocess_ctl(self._pre, request, ctypes.byref(value))
        self._lib.speex_preprocess_ctl(self._pre, _PREPROCESS_SET_ECHO_STATE, self._echo)
        self._out = np.zeros(frame, np.int16)

    def process(self, microphone: np.ndarray, reference: np.ndarray) -> np.ndarray:
        """One frame of each (int16, ``frame`` samples); the microphone without the echo."""
        short_p = ctypes.POINTER(ctypes.c_int16)
        mic = np.ascontiguousarray(microphone, np.int16)
        ref = np.ascontiguousarray(reference, np.int16)
        out = np.zeros(self.frame, np.int16)
        self._lib.speex_echo_cancellation(self._echo, mic.ctypes.data_as(short_p),
                                          ref.ctypes.data_as(short_p),
                                          out.ctypes.data_as(short_p))  # fmt: skip
        self._lib.speex_preprocess_run(self._pre, out.ctypes.data_as(short_p))
        return out

    def reset(self) -> None:
        """Forget the echo path learnt so far (it moved)."""
        self._lib.speex_echo_state_reset(self._echo)

    def close(self) -> None:
        if self._pre:
            self._lib.speex_preprocess_state_destroy(self._pre)
            self._lib.speex_echo_state_destroy(self._echo)
            self._pre = self._echo = None

    def __del__(self) -> None:
        self.close()
