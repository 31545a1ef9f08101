"""Read scanned PDF pages (images, no text layer) with Tesseract's Vietnamese model.

Needs the `tesseract` program with its Vietnamese data (Debian: tesseract-ocr tesseract-ocr-vie)
and Pillow, which pypdf uses to decode the page images.
"""
from __future__ import annotations

import functools
import io
import os
import shutil
import subprocess

INSTALL_HINT = "máy chưa có Tesseract tiếng Việt: cài gói tesseract-ocr và tesseract-ocr-vie rồi nạp lại"
_TIMEOUT_S = 120  # per image: a page of dense text takes a few seconds
# Tesseract's OpenMP threads make one page several times slower on a small machine.
_ENV = os.environ | {"OMP_THREAD_LIMIT": "1"}


class OcrError(Exception):
    """A page image that Tesseract could not read; the message says why, in Vietnamese."""


@functools.cache
def available() -> bool:
    """True when `tesseract` runs and has the Vietnamese language data."""
    exe = shutil.which("tesseract")
    if not exe:
        return False
    try:
        langs = subprocess.run([exe, "--list-langs"], capture_output=True, text=True, timeout=30, env=_ENV)
    except (OSError, subprocess.SubprocessError):
        return False
    return "vie" in langs.stdout.split()


def page_text(page) -> str:
    """Text of the images drawn on a pypdf page, in the order the page lists them."""
    try:
        images = [image.image for image in page.images]
    except Exception as exc:  # pypdf raises many types for filters it cannot decode (e.g. JBIG2)
        raise OcrError(f"không giải mã được ảnh trong trang ({exc})") from exc
    width_in = float(page.mediabox.width) / 72
    return "\n\n".join(_read_image(image, image.width / width_in) for image in images)


def _read_image(image, dpi: float) -> str:
    if image.mode not in ("1", "L", "RGB"):
        image = image.convert("RGB")
    png = io.BytesIO()
    image.save(png, "PNG", compress_level=1)
    # Without --dpi Tesseract guesses the resolution from the glyphs and often misreads.
    command = ["tesseract", "stdin", "stdout", "-l", "vie", "--dpi", str(max(70, round(dpi)))]
    try:
        done = subprocess.run(command, input=png.getvalue(), capture_output=True, timeout=_TIMEOUT_S, env=_ENV)
    except subprocess.TimeoutExpired as exc:
        raise OcrError(f"nhận dạng chữ quá {_TIMEOUT_S} giây") from exc
    except OSError as exc:
        raise OcrError(f"không chạy được tesseract ({exc.strerror})") from exc
    if done.returncode:
        reason = done.stderr.decode(errors="replace").strip().splitlines()[-1:] or [f"mã lỗi {done.returncode}"]
        raise OcrError(f"tesseract báo lỗi: {reason[0]}")
    return done.stdout.decode("utf-8", errors="replace")
