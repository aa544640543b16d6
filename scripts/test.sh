#!/usr/bin/env bash
# Set everything up (if needed), then run the linter and the whole test suite. The audio tests
# play into a private PulseAudio null sink that this script starts (no sound card needed).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/scripts/setup.sh" --test
cd "$root"
.venv/bin/python -m pip check --disable-pip-version-check
.venv/bin/ruff check .
.venv/bin/ruff format --check .
eval "$(scripts/audio-server.sh)"
# The PulseAudio server is stopped afterwards when this run started it (an already running one,
# someone else's, is left alone).
if [[ -n "${VOICE_COACH_PULSE_STARTED:-}" ]]; then
    trap 'pactl exit >/dev/null 2>&1 || true' EXIT
fi
.venv/bin/python -m pytest "$@"
