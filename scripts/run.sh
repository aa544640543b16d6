#!/usr/bin/env bash
# Set everything up (if needed) and run the coach. Arguments go to 'voice-coach run'.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/scripts/setup.sh"
exec "$root/.venv/bin/voice-coach" run "$@"
