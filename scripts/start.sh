#!/usr/bin/env bash
# Install into .venv and start the product on its defaults: bundled corpus indexed, chat page on :8057.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e .
exec .venv/bin/hoidap serve "$@"
