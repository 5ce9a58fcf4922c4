#!/usr/bin/env bash
# Make .venv with treadctl and its dev extra, and the system packages the tests use.
# Sourced by the other scripts; safe to run again (it only does what is missing).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

python=${PYTHON:-}
if [ -z "$python" ]; then
    for candidate in python3.13 python3.12 python3.11 python3; do
        if command -v "$candidate" >/dev/null 2>&1 &&
            "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
            python=$candidate
            break
        fi
    done
fi
if [ -z "$python" ]; then
    echo "treadctl needs Python 3.11 or newer" >&2
    exit 1
fi

stamp=.venv/.treadctl-installed
if [ ! -x .venv/bin/python ]; then
    "$python" -m venv .venv
fi
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
    .venv/bin/python -m pip install --quiet --upgrade pip
    .venv/bin/python -m pip install --quiet -e '.[dev]'
    touch "$stamp"
fi

# System packages the tests talk to for real (a broker, a private D-Bus, a terminal, a
# speech engine and an audio player):
# only when asked for (the test script asks).
if [ "${TREADCTL_TEST_DEPS:-0}" != 1 ]; then
    return 0 2>/dev/null || exit 0
fi
missing=()
command -v mosquitto >/dev/null 2>&1 || [ -x /usr/sbin/mosquitto ] || missing+=(mosquitto)
command -v dbus-daemon >/dev/null 2>&1 || missing+=(dbus-daemon)
command -v tmux >/dev/null 2>&1 || missing+=(tmux)
command -v openssl >/dev/null 2>&1 || missing+=(openssl)  # the MQTT TLS tests make a CA
command -v espeak-ng >/dev/null 2>&1 || missing+=(espeak-ng)  # the voice's speech engine
command -v aplay >/dev/null 2>&1 || missing+=(alsa-utils)  # a real player with no device
if [ "${#missing[@]}" -gt 0 ]; then
    if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "installing ${missing[*]}"
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
    else
        echo "note: ${missing[*]} missing; tests that need them fall back or are skipped" >&2
    fi
fi
