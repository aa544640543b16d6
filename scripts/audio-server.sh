#!/usr/bin/env bash
# Start a private PulseAudio server with a null sink called "room" (no hardware needed) and make
# it the default output, with its monitor as the default input. Prints the environment to use:
#   eval "$(scripts/audio-server.sh)"
# Safe to run again: an already running server is reused.
# When it started the server, it also prints VOICE_COACH_PULSE_STARTED=1, so that the caller
# can stop it again (pactl exit) when done.
set -euo pipefail
runtime="${XDG_RUNTIME_DIR:-/tmp/voice-coach-pulse-$(id -u)}"
mkdir -p "$runtime"
chmod 700 "$runtime"
export XDG_RUNTIME_DIR="$runtime"
if ! pactl info >/dev/null 2>&1; then
    args=(--daemonize=yes --exit-idle-time=-1 --disallow-exit --log-target=stderr --log-level=error)
    if [[ "$(id -u)" -eq 0 ]]; then
        # As root PulseAudio warns but runs per-user; --system would need a system-wide setup.
        pulseaudio "${args[@]}" 2>/dev/null || pulseaudio "${args[@]}"
    else
        pulseaudio "${args[@]}"
    fi
    for _ in $(seq 50); do pactl info >/dev/null 2>&1 && break; sleep 0.1; done
    echo "export VOICE_COACH_PULSE_STARTED=1"
fi
if ! pactl list short sinks | grep -q $'\troom\t'; then
    pactl load-module module-null-sink sink_name=room sink_properties=device.description=room >/dev/null
fi
pactl set-default-sink room
pactl set-default-source room.monitor
echo "export XDG_RUNTIME_DIR='$runtime'"
