#!/usr/bin/env bash
# Install voice_coach as a service on a Raspberry Pi (Raspberry Pi OS / Debian), to start at boot.
# Safe to run again: each step only does what is missing.
#
#   sudo scripts/install-pi.sh                  # the coach with pocketsphinx (English, built in)
#   sudo scripts/install-pi.sh --english-model  # also the vosk English model (40 MB download)
#
# It installs the system packages, a virtual environment in /opt/voice-coach with the project,
# an unprivileged user 'voice-coach' in the 'audio' group, a settings file only that user can
# read, and the systemd unit (scripts/voice-coach.service).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
prefix=/opt/voice-coach
user=voice-coach
home=/var/lib/voice-coach
english_model=no

for argument in "$@"; do
    case "$argument" in
        --english-model) english_model=yes ;;
        -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
        *) echo "install-pi: unknown option $argument (try --help)" >&2; exit 2 ;;
    esac
done

if [[ "$(id -u)" -ne 0 ]]; then
    echo "install-pi: run it as root: sudo $0 $*" >&2
    exit 1
fi

say() { echo "install-pi: $*"; }

# 1. System packages.
mapfile -t wanted < <(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$root/scripts/apt-packages.txt")
wanted+=(python3 python3-venv)
missing=()
for package in "${wanted[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$package")
    fi
done
if [[ ${#missing[@]} -gt 0 ]]; then
    say "installing ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# 2. The user the service runs as: no login, in the audio group.
if ! id "$user" >/dev/null 2>&1; then
    say "creating the user $user"
    useradd --system --home-dir "$home" --create-home --shell /usr/sbin/nologin "$user"
fi
if ! id -nG "$user" | tr ' ' '\n' | grep -qx audio; then
    usermod --append --groups audio "$user"
fi
install -d -m 0700 -o "$user" -g "$user" "$home" "$home/.config" "$home/.config/voice-coach" \
    "$home/.local" "$home/.local/state" "$home/.local/share"

# 3. The project in its own virtual environment.
if [[ ! -x "$prefix/venv/bin/python" ]]; then
    say "creating $prefix/venv"
    install -d -m 0755 "$prefix"
    # Debian's own Python: the service user must be able to run it (not one under /root).
    /usr/bin/python3 -m venv "$prefix/venv"
fi
# At the versions the tests were run with (scripts/constraints.txt). setuptools builds from a
# build/ folder it keeps in the checkout: an old one would carry modules that have since moved.
rm -rf "$root/build"
pins=(--constraint "$root/scripts/constraints.txt")
"$prefix/venv/bin/python" -m pip install --quiet "${pins[@]}" --upgrade pip
"$prefix/venv/bin/python" -m pip install --quiet "${pins[@]}" --upgrade "$root"
install -m 0644 "$root/README.md" "$prefix/README.md"

# 4. A settings file to edit (device names, voice, language...), readable by the service only.
settings="$home/.config/voice-coach/config.toml"
if [[ ! -f "$settings" ]]; then
    say "writing $settings"
    cat > "$settings" <<'SETTINGS'
# voice_coach settings: every key is optional; 'voice-coach doctor' checks them.
# mic = "USB"            # part of the microphone's name (see: voice-coach devices)
# speaker = "USB"        # part of the speaker's name
# locale = "en"          # or "ko"
# voice = "default"      # or "natural"
# engine = "auto"        # auto, vosk or pocketsphinx
# volume = 0             # -4 (quiet) to 4 (loud)
# rate = 0               # -4 (slow) to 4 (fast)
SETTINGS
fi
chown "$user:$user" "$settings"
chmod 0600 "$settings"

# 5. The speech-embedding model that checks what pocketsphinx hears, and optionally the vosk
# English model (each needs internet once; the coach runs without them).
say "downloading the speech-embedding model"
if ! "$prefix/venv/bin/python" -c "import onnxruntime" 2>/dev/null; then
    say "onnxruntime does not load here: the coach runs without the speech-embedding check"
elif ! runuser -u "$user" -- env HOME="$home" XDG_DATA_HOME="$home/.local/share" \
    "$prefix/venv/bin/voice-coach" models download speech-embedding 2>/dev/null; then
    say "could not download it (no internet?): more chatter will be taken for commands until" \
        "'voice-coach models download speech-embedding' is run as $user"
fi
if [[ "$english_model" == yes ]]; then
    say "downloading the vosk English model"
    runuser -u "$user" -- env HOME="$home" XDG_DATA_HOME="$home/.local/share" \
        "$prefix/venv/bin/voice-coach" models download vosk-model-small-en-us-0.15
fi

# 6. The service.
install -m 0644 "$root/scripts/voice-coach.service" /etc/systemd/system/voice-coach.service
if [[ -d /run/systemd/system ]]; then
    systemctl daemon-reload
    systemctl enable voice-coach.service
    say "installed; start it now with: sudo systemctl start voice-coach"
else
    say "installed; systemd is not running here, so the service was not enabled"
fi
say "check the microphone and speaker with: sudo -u $user $prefix/venv/bin/voice-coach doctor"
