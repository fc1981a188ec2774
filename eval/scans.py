"""Generated scans: Korean text rendered with fonts-nanum, then made to look scanned or photographed.

Four conditions, as a Korean office's paper arrives: clean (a digital print rendered at 300
dpi), noisy (salt-and-pepper speckle and grey dust from a worn scanner), skewed (fed 1-3
degrees askew, with noise) and photo (a phone picture: smaller, blurred, unevenly lit, JPEG).
Used by the OCR tests and by `python -m eval ocr`; nothing here reads a model.
"""

from __future__ import annotations

import io
import random
from collections.abc import Sequence
from pathlib import Path
from typing import Literal

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

Condition = Literal["clean", "noisy", "skewed", "photo"]
CONDITIONS: tuple[Condition, ...] = ("clean", "noisy", "skewed", "photo")
FONT_DIR = Path("/usr/share/fonts/truetype/nanum")
FONTS = ("NanumGothic.ttf", "NanumMyeongjo.ttf", "NanumBarunGothic.ttf")
PAGE = (2480, 3508)
"""A4 at 300 dpi."""


def font_path(name: str = FONTS[0]) -> Path:
    """The fonts-nanum font (Debian package fonts-nanum, installed by scripts/install.sh)."""
    path = FONT_DIR / name
    if not path.is_file():
        raise FileNotFoundError(f"{path} is missing: apt-get install fonts-nanum")
    return path


def render_page(lines: Sequence[str], font: str = FONTS[0], size: int = 44) -> Image.Image:
    """The lines printed on a white A4 page at 300 dpi (44 px is about 10.5 pt)."""
    page = Image.new("L", PAGE, 255)
    draw = ImageDraw.Draw(page)
    face = ImageFont.truetype(str(font_path(font)), size)
    y = 260
    for line in lines:
        draw.text((240, y), line, font=face, fill=0)
        y += round(size * 1.8)
    return page


def degrade(page: Image.Image, condition: Condition, seed: int = 0) -> Image.Image:
    """The page as `condition` leaves it (RGB for the photo, grey otherwise)."""
    rng = np.random.default_rng(seed)
    if condition == "clean":
        return page
    if condition == "photo":
        return _photo(page, rng)
    noisy = _speckle(page, rng)
    if condition == "skewed":
        angle = float(rng.choice([-1, 1]) * rng.uniform(1.0, 3.0))
        noisy = noisy.rotate(angle, resample=Image.Resampling.BICUBIC, fillcolor=255)
    return noisy


def _speckle(page: Image.Image, rng: np.random.Generator) -> Image.Image:
    pixels = np.asarray(page, dtype=np.int16).copy()
    pixels += rng.normal(0, 18, pixels.shape).astype(np.int16)  # sensor grain
    dots = rng.random(pixels.shape)
    pixels[dots < 0.004] = 0  # pepper: dust on the glass
    pixels[dots > 0.996] = 255  # salt: dropouts in the ink
    return Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8), mode="L")


def _photo(page: Image.Image, rng: np.random.Generator) -> Image.Image:
    """Taken by a phone at arm's length: 60% size, soft focus, a light gradient, tilted, JPEG."""
    width, height = page.size
    small = page.resize((width * 6 // 10, height * 6 // 10), Image.Resampling.LANCZOS)
    small = small.filter(ImageFilter.GaussianBlur(0.8))
    pixels = np.asarray(small, dtype=np.float32)
    gradient = np.linspace(1.0, 0.72, pixels.shape[1], dtype=np.float32)[None, :]
    lit = pixels * gradient * 0.92 + rng.normal(0, 6, pixels.shape).astype(np.float32)
    grey = Image.fromarray(np.clip(lit, 0, 255).astype(np.uint8), mode="L")
    grey = grey.rotate(float(rng.uniform(-1.5, 1.5)), Image.Resampling.BICUBIC, fillcolor=200)
    tinted = Image.merge("RGB", (grey, grey, grey.point(lambda v: int(v * 0.93))))
    buffer = io.BytesIO()
    tinted.save(buffer, "JPEG", quality=70)
    return Image.open(io.BytesIO(buffer.getvalue())).convert("RGB")


def scanned_pdf(pages: Sequence[Image.Image], path: Path, dpi: int = 300) -> Path:
    """An image-only PDF (no text layer), one page per image, as a scanner writes it."""
    images = [p.convert("RGB") if p.mode not in ("L", "RGB") else p for p in pages]
    images[0].save(path, "PDF", resolution=float(dpi), save_all=True, append_images=images[1:])
    return path


def notice_lines(rng: random.Random, sentences: Sequence[str], count: int = 14) -> list[str]:
    """A notice's lines: a title, an article heading and wrapped sentences of at most 34
    characters (what fits the rendered line)."""
    lines = [f"제{rng.randint(1, 30)}조 (시행)"]
    for sentence in rng.sample(list(sentences), min(len(sentences), count)):
        while sentence and len(lines) < count:
            lines.append(sentence[:34].strip())
            sentence = sentence[34:]
    return [line for line in lines if line][:count]
