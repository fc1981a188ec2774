"""OCR of image files (PNG, JPEG, TIFF, GIF) and of the pictures inside Office and HWPX files.

A photographed notice or a scan saved as an image has only pixels; so does a DOCX, HWPX or
PPTX that is a scan pasted into a document (a common way to file a signed approval). Images
are read by Tesseract (ocr.py), a multi-page TIFF one page per frame. A document's pictures
are read only where it has no text: for DOCX and HWPX when the whole document has none, for
PPTX per slide, with the slide's number kept.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from collections.abc import Callable
from pathlib import Path

from PIL import Image, ImageSequence

from ingest.elements import CorruptFile, Element, EmptyDocument, TooLarge
from ingest.parsers.ocr import OcrOptions, Unreadable, missing, read_image, require
from ingest.parsers.pdf import text_blocks

_MAX_PIXELS = 60_000_000
"""Larger images (a 7700 x 7700 photo) are refused: decoding one would take gigabytes."""
_MEDIA = re.compile(r"\.(png|jpe?g|tiff?|gif|bmp)$", re.I)
_MEDIA_DIRS = {"docx": "word/media/", "hwpx": "BinData/", "pptx": "ppt/media/"}
_MAX_FRAMES = 200
_MIN_MEDIA_BYTES = 2048
"""Smaller pictures are icons, bullets and logos, not pages of text."""
_TARGET = re.compile(r'Id="([^"]+)"[^>]*?Target="([^"]+)"|Target="([^"]+)"[^>]*?Id="([^"]+)"')


def parse_image(path: Path, ocr: OcrOptions) -> list[Element]:
    """An image file's text, one page per frame (multi-page TIFF), with OCR confidence."""
    require(ocr, path.name, "이미지 파일이라 OCR이 필요한데")
    try:
        with Image.open(path) as image:
            frames = [frame.copy() for frame in _frames(image, path.name)]
    except (Image.DecompressionBombError, Image.UnidentifiedImageError, OSError) as exc:
        raise CorruptFile(f"'{path.name}' 이미지를 열 수 없습니다 ({exc}).") from exc
    multipage = len(frames) > 1
    elements = [
        element
        for number, frame in enumerate(frames, start=1)
        for element in _read(frame, ocr, number if multipage else None)
    ]
    if not elements:
        _refuse(path.name, ocr)
    return elements


def _frames(image: Image.Image, name: str) -> list[Image.Image]:
    width, height = image.size
    if width * height > _MAX_PIXELS:
        raise TooLarge(
            f"'{name}' 이미지가 너무 큽니다 ({width}x{height} 픽셀). 해상도를 낮춰 올려 주세요."
        )
    return list(ImageSequence.Iterator(image))[:_MAX_FRAMES]


def _read(image: Image.Image, ocr: OcrOptions, page: int | None) -> list[Element]:
    read = read_image(image, ocr)
    if read.confidence < ocr.min_confidence or not read.lines:
        return []
    confidence = round(read.confidence, 1)
    return [
        Element(kind="text", text=block, page=page, ocr_confidence=confidence)
        for block in text_blocks(read.lines)
    ]


def _refuse(name: str, ocr: OcrOptions) -> None:
    raise Unreadable(
        f"'{name}'에서 OCR로 읽은 글자가 없거나 신뢰도가 {ocr.min_confidence:g} 미만이라 "
        "색인하지 않았습니다."
    )


def with_picture_text(
    kind: str, path: Path, parse: Callable[[Path], list[Element]], ocr: OcrOptions
) -> list[Element]:
    """A DOCX/HWPX/PPTX's elements, with OCR of its pictures where it has no text."""
    try:
        elements = parse(path)
    except EmptyDocument:
        if not _pictures(path, kind):
            raise  # with pictures it needs OCR: _read_pictures says whether it can run
        elements = []
    if elements and kind != "pptx":
        return elements
    pictures = _pictures(path, kind)
    if kind == "pptx":
        with_text = {e.page for e in elements}
        unread = {n: names for n, names in pictures.items() if n not in with_text}
        runs = ocr.enabled and not missing(ocr.languages)
        readable = unread and (runs or not elements)  # no OCR: keep the slides with text
        added = _read_pictures(path, unread, ocr) if readable else []
        if not elements and not added:
            _refuse(path.name, ocr)
        return sorted([*elements, *added], key=lambda e: e.page or 0) if added else elements
    read = _read_pictures(path, pictures, ocr)
    if not read:
        _refuse(path.name, ocr)
    return read


def _read_pictures(
    path: Path, pictures: dict[int | None, list[str]], ocr: OcrOptions
) -> list[Element]:
    require(ocr, path.name, "글자 없이 그림만 있는 문서라 OCR이 필요한데")
    out: list[Element] = []
    with zipfile.ZipFile(path) as zf:
        for page, names in sorted(pictures.items(), key=lambda item: item[0] or 0):
            for name in names:
                with zf.open(name) as member, Image.open(member) as image:
                    if image.size[0] * image.size[1] > _MAX_PIXELS:
                        continue
                    image.load()
                    out.extend(_read(image, ocr, page))
    return out


def _pictures(path: Path, kind: str) -> dict[int | None, list[str]]:
    """The document's pictures big enough to hold text: per slide for PPTX, else under None."""
    with zipfile.ZipFile(path) as zf:
        media = [
            info.filename
            for info in zf.infolist()
            if info.filename.startswith(_MEDIA_DIRS[kind])
            and _MEDIA.search(info.filename)
            and info.file_size >= _MIN_MEDIA_BYTES
        ]
        if kind != "pptx":
            return {None: sorted(media)} if media else {}
        slides = _slide_files(zf)
        out: dict[int | None, list[str]] = {}
        for number, slide in enumerate(slides, start=1):
            targets = _targets(zf, slide)
            used = [m for m in media if m in targets.values()]
            if used:
                out[number] = used
        return out


def _targets(zf: zipfile.ZipFile, part: str) -> dict[str, str]:
    """A part's relationships: id -> the target's path inside the ZIP."""
    folder, name = posixpath.split(part)
    rels = posixpath.join(folder, "_rels", f"{name}.rels")
    if rels not in zf.namelist():
        return {}
    xml = zf.read(rels).decode("utf-8", "replace")
    out = {}
    for match in _TARGET.finditer(xml):
        rid, target = (match.group(1), match.group(2)) if match.group(1) else match.group(4, 3)
        out[rid] = posixpath.normpath(posixpath.join(folder, target))
    return out


def _slide_files(zf: zipfile.ZipFile) -> list[str]:
    """The slides in presentation order (presentation.xml's sldIdLst)."""
    xml = zf.read("ppt/presentation.xml").decode("utf-8", "replace")
    targets = _targets(zf, "ppt/presentation.xml")
    ids = re.findall(r'<p:sldId\b[^>]*?r:id="([^"]+)"', xml)
    return [targets[rid] for rid in ids if rid in targets]
