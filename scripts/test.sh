#!/usr/bin/env bash
# Install predictemu with its development extra into a virtual environment and
# run the format check, the linter and the test suite. Arguments go to pytest.
# PREDICTEMU_VENV chooses the environment (default: .venv in the checkout).
set -euo pipefail
cd "$(dirname "$0")/.."
venv="${PREDICTEMU_VENV:-.venv}"
if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --upgrade pip
"$venv/bin/python" -m pip install --quiet -e ".[dev]"
"$venv/bin/ruff" format --check .
"$venv/bin/ruff" check .
"$venv/bin/python" -m pytest "$@"
