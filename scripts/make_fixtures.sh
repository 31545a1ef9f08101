#!/usr/bin/env bash
# Regenerate the PDF/DOCX fixtures of the seed plans with LibreOffice (apt: libreoffice-writer-nogui).
# Usage: scripts/make_fixtures.sh [SEED_DIR]   (default /work/shared/seeds)
set -euo pipefail
seeds=${1:-/work/shared/seeds}
out=$(cd "$(dirname "$0")/.." && pwd)/tests/fixtures/seeds
mkdir -p "$out"
# A private profile so a running LibreOffice or a read-only HOME does not block the conversion.
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
filter='Text (encoded):UTF8,LF,DejaVu Serif,vi'
for fmt in pdf docx; do
  soffice -env:UserInstallation=file://"$profile" --headless --infilter="$filter" \
    --convert-to "$fmt" --outdir "$out" "$seeds"/*.txt >/dev/null
done
install -m 644 "$seeds"/*.txt "$out"/
du -ch "$out" | tail -1
