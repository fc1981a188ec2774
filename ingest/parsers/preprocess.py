"""Image clean-up before OCR: what a scanner or a phone camera does to a page, undone.

Tesseract reads clean, upright, black-on-white text at about 300 dpi well and everything else
badly: a probe on Korean notices read a noisy scan word-perfect only after a 3-pixel median
filter. The steps, in order: grey; resolution normalised (small photos and 150 dpi scans
enlarged, huge ones shrunk, so Hangul strokes are a few pixels wide); speckle removed (median
3); uneven lighting flattened (the page divided by its blurred background, so a photo's
shadow is not read as ink); skew measured on the projection profile and rotated back;
binarised at Otsu's threshold.
"""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageFilter, ImageOps

_MIN_WIDTH = 1800
"""Narrower pages are enlarged: an A4 page at 300 dpi is 2480 pixels wide."""
_MAX_WIDTH = 3600
_MAX_SKEW = 5.0
"""Degrees searched either way; scans and straight-on photos are within this."""
_PROFILE_WIDTH = 900
"""Width at which skew is measured (the profile needs lines, not strokes)."""


def prepare(image: Image.Image) -> Image.Image:
    """The page as Tesseract reads it best: upright, denoised, black text on white."""
    grey = ImageOps.exif_transpose(image).convert("L")
    grey = _normalise_resolution(grey)
    grey = grey.filter(ImageFilter.MedianFilter(3))
    grey = _flatten_background(grey)
    angle = skew_angle(grey)
    if abs(angle) >= 0.2:
        grey = grey.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=255)
    return _binarise(grey)


def _normalise_resolution(grey: Image.Image) -> Image.Image:
    width, height = grey.size
    target = min(max(width, _MIN_WIDTH), _MAX_WIDTH)
    if target == width:
        return grey
    scale = target / width
    return grey.resize((target, max(1, round(height * scale))), Image.Resampling.LANCZOS)


def _flatten_background(grey: Image.Image) -> Image.Image:
    """The page divided by its background (ink removed by a max filter, then blurred)."""
    width, height = grey.size
    small = grey.resize((max(1, width // 16), max(1, height // 16)), Image.Resampling.BILINEAR)
    background = small.filter(ImageFilter.MaxFilter(5)).filter(ImageFilter.GaussianBlur(2))
    background = background.resize(grey.size, Image.Resampling.BILINEAR)
    page = np.asarray(grey, dtype=np.float32)
    light = np.maximum(np.asarray(background, dtype=np.float32), 1.0)
    flat = np.clip(page / light * 255.0, 0, 255).astype(np.uint8)
    return Image.fromarray(flat, mode="L")


def _otsu(pixels: np.ndarray) -> int:
    """The grey level that best separates ink from paper (Otsu's between-class variance)."""
    histogram = np.bincount(pixels.ravel(), minlength=256).astype(np.float64)
    total = histogram.sum()
    weight = np.cumsum(histogram)
    mean = np.cumsum(histogram * np.arange(256))
    with np.errstate(divide="ignore", invalid="ignore"):
        between = (mean[-1] * weight / total - mean) ** 2 / (weight * (total - weight))
    return int(np.nanargmax(between))


def _binarise(grey: Image.Image) -> Image.Image:
    pixels = np.asarray(grey, dtype=np.uint8)
    threshold = _otsu(pixels)
    return Image.fromarray(np.where(pixels > threshold, 255, 0).astype(np.uint8), mode="L")


def skew_angle(grey: Image.Image) -> float:
    """Degrees to rotate the page (counter-clockwise) so its text lines are level.

    Level lines make the row sums of ink peak and drop sharply, so the rotation whose
    profile varies most wins: a coarse search in half degrees, then a fine one around it.
    """
    width, height = grey.size
    scale = min(1.0, _PROFILE_WIDTH / width)
    small = grey.resize((max(1, round(width * scale)), max(1, round(height * scale))))
    pixels = np.asarray(small, dtype=np.uint8)
    ink = Image.fromarray(np.where(pixels < _otsu(pixels), 255, 0).astype(np.uint8), mode="L")

    def sharpness(angle: float) -> float:
        rotated = np.asarray(ink.rotate(angle, resample=Image.Resampling.NEAREST, expand=True))
        rows = rotated.sum(axis=1, dtype=np.float64)
        return float(np.sum(np.diff(rows) ** 2))

    coarse = max(np.arange(-_MAX_SKEW, _MAX_SKEW + 0.01, 0.5), key=sharpness)
    fine = max(np.arange(coarse - 0.5, coarse + 0.51, 0.1), key=sharpness)
    return round(float(fine), 2)
