#!/usr/bin/env bash
# Set up voice_coach on Debian or Raspberry Pi OS: the system packages it needs, a virtual
# environment in .venv, and the project installed into it. Safe to run again: it only installs
# what is missing.
#
#   scripts/setup.sh          # to run the coach
#   scripts/setup.sh --test   # also the test tools
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

extras=""
if [[ "${1:-}" == "--test" ]]; then
    extras="[test]"
fi

sudo_cmd=()
if [[ "$(id -u)" -ne 0 ]]; then
    sudo_cmd=(sudo)
fi

# System packages, one per line in scripts/*apt-packages.txt ('#' starts a comment).
lists=(scripts/apt-packages.txt)
if [[ -n "$extras" ]]; then
    lists+=(scripts/test-apt-packages.txt)
fi
mapfile -t wanted < <(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "${lists[@]}")
missing=()
for package in "${wanted[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$package")
    fi
done
python=""
for candidate in python3.13 python3.12 python3.11 python3; do
    if command -v "$candidate" >/dev/null &&
        "$candidate" -c 'import sys, venv, ensurepip; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
        python="$candidate"
        break
    fi
done
if [[ -z "$python" ]]; then
    missing+=(python3 python3-venv)
fi
if [[ ${#missing[@]} -gt 0 ]]; then
    echo "setup: installing system packages: ${missing[*]}"
    "${sudo_cmd[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
python="${python:-python3}"

if [[ ! -x .venv/bin/python ]]; then
    echo "setup: creating the virtual environment in .venv"
    "$python" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet --editable ".${extras}"
# The speech-embedding model that checks what pocketsphinx hears (2.4 MB kept of a 17 MB
# download from PyPI; skipped when already there). Without it the coach still runs, with more
# false accepts, and says so.
if ! .venv/bin/python -c "import onnxruntime" 2>/dev/null; then
    echo "setup: onnxruntime does not load on this machine, so the coach runs without the" \
        "speech-embedding check (more chatter is taken for commands)" >&2
elif ! .venv/bin/voice-coach models download speech-embedding --dir models 2>/dev/null; then
    echo "setup: could not download the speech-embedding model (no internet?); the coach runs" \
        "without it but takes more chatter for commands: run" \
        "'.venv/bin/voice-coach models download speech-embedding --dir models' later" >&2
fi
echo "setup: ready ($(.venv/bin/voice-coach --version))"
