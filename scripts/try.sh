#!/usr/bin/env bash
# Set up (once) and run a guided backward workout against the simulated treadmill.
# Usage: bash scripts/try.sh [PROFILE] [treadctl run options]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
profile=${1:-first-steps}
shift || true
exec .venv/bin/treadctl run "$profile" --sim "$@"
