"""Audio devices through PortAudio (python-sounddevice): listing and finding them by name."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from voice_coach.core.errors import CoachError

PORTAUDIO_HELP = "install PortAudio: sudo apt install libportaudio2 (scripts/setup.sh does this)"


def sounddevice() -> Any:
    """The sounddevice module, or a clear error when PortAudio is missing."""
    try:
        import sounddevice as sd
    except OSError as exc:  # the module loads, the PortAudio library does not
        raise CoachError(f"cannot use audio devices ({exc}); {PORTAUDIO_HELP}") from None
    return sd


@dataclass(frozen=True)
class Device:
    index: int
    name: str
    inputs: int
    outputs: int
    rate: float
    is_default_input: bool
    is_default_output: bool


def devices() -> list[Device]:
    sd = sounddevice()
    default_in, default_out = _defaults(sd)
    return [
        Device(i, d["name"], d["max_input_channels"], d["max_output_channels"],
               d["default_samplerate"], i == default_in, i == default_out)
        for i, d in enumerate(sd.query_devices())
    ]  # fmt: skip


def _defaults(sd: Any) -> tuple[int, int]:
    try:
        default_in, default_out = sd.default.device
    except (TypeError, ValueError):
        return -1, -1
    return int(default_in), int(default_out)


def find_device(name: str | None, kind: str) -> Device:
    """The output (``kind="output"``) or input device whose name contains ``name``
    (case-insensitive), an index given as digits, or the default one when ``name`` is None."""
    found = [d for d in devices() if (d.outputs if kind == "output" else d.inputs) > 0]
    plug = "a USB speaker" if kind == "output" else "a USB microphone"
    if not found:
        raise CoachError(f"no audio {kind} device found: plug in {plug}, then run "
                         "'voice-coach devices' to check it is seen")  # fmt: skip
    if name is None:
        default = [d for d in found if (d.is_default_output if kind == "output"
                                        else d.is_default_input)]  # fmt: skip
        return default[0] if default else found[0]
    if name.isdigit():
        matches = [d for d in found if d.index == int(name)]
    else:
        matches = [d for d in found if name.lower() in d.name.lower()]
    if not matches:
        known = "; ".join(f"{d.index}: {d.name}" for d in found)
        raise CoachError(f"no {kind} device matches '{name}'; {kind} devices: {known}")
    return matches[0]


def describe() -> str:
    """A table of the devices, for ``voice-coach devices``."""
    rows = []
    for d in devices():
        marks = ("in " if d.inputs else "   ") + ("out" if d.outputs else "   ")
        default = " (default input)" if d.is_default_input else ""
        default += " (default output)" if d.is_default_output else ""
        rows.append(f"{d.index:3d}  {marks}  {d.rate:7.0f} Hz  {d.name}{default}")
    return "\n".join(rows) if rows else "no audio devices found"
