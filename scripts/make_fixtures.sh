#!/usr/bin/env bash
# Regenerate the PDF/DOCX fixtures of the seed plans with LibreOffice (apt: libreoffice-writer-nogui).
# Usage: scripts/make_fixtures.sh [SEED_DIR]   (default: the bundled corpus/)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
seeds=${1:-$root/corpus}
out=$root/tests/fixtures/seeds
mkdir -p "$out"
# A private profile so a running LibreOffice or a read-only HOME does not block the conversion.
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
filter='Text (encoded):UTF8,LF,DejaVu Serif,vi'
for fmt in pdf docx; do
  soffice -env:UserInstallation=file://"$profile" --headless --infilter="$filter" \
    --convert-to "$fmt" --outdir "$out" "$seeds"/*.txt >/dev/null
done

# Legacy-font fixtures: the first part of a seed typed in TCVN3 (ABC), as an old .txt file
# (Windows-1252 bytes) and as a PDF whose text layer is TCVN3 code characters.
legacy=$(dirname "$out")/legacy
mkdir -p "$legacy"
"$root/.venv/bin/python" - "$seeds/angiang_stp_kh_nq71.txt" "$legacy" <<'PY'
import sys
sys.path.insert(0, ".")
from hoidap.legacy import to_tcvn3
source, target = sys.argv[1], sys.argv[2]
text = "\n".join(open(source, encoding="utf-8-sig").read().split("\n")[:40])
text = text.replace("¹", "")  # a footnote mark that is also the TCVN3 code of "ạ"
open(f"{target}/tcvn3_source.txt", "w", encoding="utf-8").write(text)
open(f"{target}/tcvn3.txt", "wb").write(to_tcvn3(text).encode("cp1252"))
open(f"{target}/tcvn3_pdf.txt", "w", encoding="utf-8").write(to_tcvn3(text))
PY
soffice -env:UserInstallation=file://"$profile" --headless --infilter="$filter" \
  --convert-to pdf --outdir "$legacy" "$legacy/tcvn3_pdf.txt" >/dev/null
mv "$legacy/tcvn3_pdf.pdf" "$legacy/tcvn3.pdf" && rm "$legacy/tcvn3_pdf.txt"
du -ch "$out" "$legacy" | tail -1

# A plan with the usual two-column head (issuer | motto), as DOCX and as LibreOffice's PDF of it.
header=$(dirname "$out")/header
mkdir -p "$header"
"$root/.venv/bin/python" "$root/scripts/make_header_fixture.py" "$header/ke_hoach_123.docx"
soffice -env:UserInstallation=file://"$profile" --headless --convert-to pdf --outdir "$header" \
  "$header/ke_hoach_123.docx" >/dev/null

# A scanned plan: the head of a seed drawn as 300 dpi page images with no text layer, one page
# bilevel (CCITT G4, as office scanners save) and one greyscale JPEG (as phone scans arrive).
scanned=$(dirname "$out")/scanned
mkdir -p "$scanned"
"$root/.venv/bin/python" - "$seeds/dongnai_ubnd_kh45.txt" "$scanned" <<'PY'
import sys
from PIL import Image, ImageDraw, ImageFilter, ImageFont
source, target = sys.argv[1], sys.argv[2]
paragraphs = [p.strip() for p in open(source, encoding="utf-8-sig").read().split("\n") if p.strip()][:7]
open(f"{target}/scan_source.txt", "w", encoding="utf-8").write("\n\n".join(paragraphs) + "\n")
fonts = "/usr/share/fonts/truetype/dejavu/DejaVuSerif"
regular, bold = (ImageFont.truetype(f"{fonts}{style}.ttf", 54) for style in ("", "-Bold"))  # 13 pt

def page(paragraphs):
    image = Image.new("L", (2480, 3508), 255)  # A4
    draw, y = ImageDraw.Draw(image), 300
    for text in paragraphs:
        font = bold if text.isupper() else regular
        line = ""
        for word in text.split() + [None]:  # None flushes the last line
            if word is None or line and font.getlength(f"{line} {word}") > 2000:
                draw.text((240, y), line, font=font, fill=0)
                y, line = y + 80, word
            else:
                line = f"{line} {word}".strip()
        y += 40
    return image

first = page(paragraphs[:5]).point(lambda v: 255 if v > 128 else 0, "1")
second = page(paragraphs[5:]).rotate(0.4, fillcolor=255).filter(ImageFilter.GaussianBlur(1))
first.save(f"{target}/scan_kh45.pdf", resolution=300)
second.save(f"{target}/scan_kh45.pdf", append=True, resolution=300, quality=50)
PY
du -ch "$scanned" | tail -1
