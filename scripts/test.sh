#!/usr/bin/env bash
# Install into .venv with the test extras and run the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
# CPU build of torch from the local disk first, so sentence-transformers does not pull a CUDA build.
.venv/bin/python -m pip install -q torch==2.13.0
.venv/bin/python -m pip install -q -e '.[test]'

need() {  # need COMMAND DEBIAN_PACKAGE...: install the packages when the command is missing
  command -v "$1" >/dev/null 2>&1 && return
  shift
  local sudo=""
  [ "$(id -u)" = 0 ] || sudo=sudo
  $sudo apt-get update -qq && $sudo apt-get install -y -qq "$@" >/dev/null
}
need chromium chromium                               # end-to-end tests of the chat page and widget
need tesseract tesseract-ocr tesseract-ocr-vie       # OCR of scanned PDF pages
need npm npm
need nginx nginx                                     # tests/test_e2e_replicas.py: two replicas behind nginx
need openssl openssl                                 # tests/test_deploy.py: a self-signed certificate
# axe-core from the npm registry: the e2e tests inject it into each page and require zero violations.
[ -f tests/e2e/node/node_modules/axe-core/axe.min.js ] || \
    npm install --silent --no-save --no-audit --no-fund --prefix tests/e2e/node axe-core@4.14.1
.venv/bin/ruff check .
exec .venv/bin/python -m pytest "$@"
