#!/usr/bin/env bash
# Set up (once) and run every check: ruff, mypy --strict, and the test suite.
# Usage: bash scripts/test.sh [pytest arguments]
set -euo pipefail
cd "$(dirname "$0")/.."
TREADCTL_TEST_DEPS=1 source scripts/setup.sh

echo "== ruff"
.venv/bin/ruff check src tests bench
.venv/bin/ruff format --check src tests bench
echo "== import-linter (the layers of docs/architecture.md)"
.venv/bin/lint-imports --no-cache
echo "== mypy --strict"
.venv/bin/mypy
echo "== pytest"
set +e
.venv/bin/python -m pytest "$@"
rc=$?
set -e
if [ "$rc" -eq 5 ]; then
    echo "pytest collected no tests: that is a failure here" >&2
    exit 1
fi
exit "$rc"
