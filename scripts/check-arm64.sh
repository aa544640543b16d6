#!/usr/bin/env bash
# Run a smoke subset of the test suite on aarch64, as on a Raspberry Pi, on any Linux machine:
# a Debian arm64 root file system (debootstrap) run under qemu-user through proot, which needs
# neither binfmt_misc nor a chroot. The project's own apt packages and its pip install are done
# inside, so this also checks that every dependency has an arm64 build.
#
#   sudo scripts/check-arm64.sh          # the first run builds the root file system (~6 min)
#
# Subset: phrase parsing, routine files, whole text sessions, speech synthesised with espeak-ng
# and recognised by pocketsphinx (the voices and recogniser the Pi runs by default), and the
# verifier's bank.
# ARM64_ROOTFS (default /var/tmp/voice-coach-arm64) keeps the root file system between runs;
# DEBIAN_MIRROR (default: the one in this machine's apt sources) is where it comes from.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
rootfs="${ARM64_ROOTFS:-/var/tmp/voice-coach-arm64}"
SECONDS=0

if [[ "$(id -u)" -ne 0 ]]; then
    echo "check-arm64: run as root (debootstrap and apt need it)" >&2
    exit 1
fi
missing=()
for tool in qemu-aarch64-static:qemu-user-static debootstrap:debootstrap proot:proot; do
    command -v "${tool%%:*}" >/dev/null || missing+=("${tool##*:}")
done
if ((${#missing[@]})); then
    apt-get install -y --no-install-recommends "${missing[@]}"
fi

binds=(-b /dev -b /proc -b /sys)
guest() {
    local workdir="$1"
    shift
    proot -0 -q qemu-aarch64-static -r "$rootfs" -w "$workdir" "${binds[@]}" "$@"
}
# pip inside trusts the host's certificate bundle (it may hold a proxy's authority that the
# guest lacks), seen read-only at a path of its own so that nothing in the guest rewrites it.
host_bundle=/etc/ssl/certs/ca-certificates.crt
pip_env=()
pip_bind=()
if [[ -f "$host_bundle" ]]; then
    pip_env=(env PIP_CERT=/host-ca.crt REQUESTS_CA_BUNDLE=/host-ca.crt SSL_CERT_FILE=/host-ca.crt)
    pip_bind=(-b "$host_bundle:/host-ca.crt")
fi

# The Debian mirror this machine's own apt uses (DEBIAN_MIRROR overrides it): the first
# deb URI of its sources, in the one-line or the deb822 format.
debian_mirror() {
    local sources=(/etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources)
    local existing=()
    for file in "${sources[@]}"; do [[ -f "$file" ]] && existing+=("$file"); done
    ((${#existing[@]})) || return 0
    sed -n -e 's/^deb \(\[[^]]*\] \)\{0,1\}\([a-z+]*:\/\/[^ ]*\) .*/\2/p' \
        -e 's/^URIs: *\([^ ]*\).*/\1/p' "${existing[@]}" | grep -v -e security -e updates | head -n 1
}

if [[ ! -x "$rootfs/venv/bin/python" ]]; then
    mirror="${DEBIAN_MIRROR:-$(debian_mirror)}"
    if [[ -z "$mirror" ]]; then
        echo "check-arm64: no Debian mirror in /etc/apt/sources*; set DEBIAN_MIRROR to one" >&2
        exit 1
    fi
    packages="$(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$root/scripts/apt-packages.txt" | paste -sd,)"
    rm -rf "$rootfs"
    debootstrap --arch=arm64 --foreign --variant=minbase \
        --include="$packages,python3,python3-venv,python3-pip" bookworm "$rootfs" "$mirror"
    DEBOOTSTRAP_DIR=/debootstrap guest / /debootstrap/debootstrap --second-stage
    cp /etc/resolv.conf "$rootfs/etc/resolv.conf"
    guest / python3 -m venv /venv
    echo "check-arm64: root file system ready after ${SECONDS} s"
fi

# The project as committed or modified (not untracked files), installed afresh.
rm -rf "$rootfs/src"
mkdir -p "$rootfs/src"
git -C "$root" ls-files -z | tar -C "$root" --null -T - -c | tar -x -C "$rootfs/src"
started=$SECONDS
binds+=("${pip_bind[@]}")
guest / "${pip_env[@]}" /venv/bin/pip install -q -c /src/scripts/constraints.txt /src pytest hypothesis
echo "check-arm64: installed in $((SECONDS - started)) s"

started=$SECONDS
# proot does not pass on a crash's signal as a failing exit status: the shell inside reports it.
# onnxruntime (the natural voice, the speech embedding) is left out: its import crashes under
# qemu-user, reading the emulated machine's processor list. So are the Korean vosk model's tests:
# the test extras (and the model package) are not installed here.
result="$(guest /src sh -c '/venv/bin/python -m pytest -q -p no:cacheprovider \
    tests/test_commands.py tests/test_routine_file.py tests/test_text_session_e2e.py \
    tests/test_voices.py tests/test_verifier.py \
    -k "not natural and not korean and not vosk and not espeak_voice" >&2; echo "exit=$?"')"
if [[ "$result" != "exit=0" ]]; then
    echo "check-arm64: the tests failed ($result)" >&2
    exit 1
fi
echo "check-arm64: $(guest / uname -m) tests passed in $((SECONDS - started)) s (${SECONDS} s in all)"
