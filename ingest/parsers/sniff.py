"""What a file really is, from its bytes first and its extension second.

Uploaded files are often misnamed (a .pdf that is a Word file, a .hwp saved as HWPX, a .doc
that is really .docx), and protected files look like something else entirely: password-
protected Office files are OLE2 containers holding an encrypted package, and Korean DRM
products (Fasoo, SoftCamp, MarkAny) wrap the original in their own container. Those are
reported as EncryptedFile here, before any parser turns them into garbage or a crash.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from typing import Literal

import olefile

from ingest.elements import (
    MAX_UNPACKED_MB,
    CorruptFile,
    EmptyDocument,
    EncryptedFile,
    TooLarge,
    UnsupportedFileType,
)
from ingest.parsers.text import decode_text, looks_like_text

FileKind = Literal[
    "pdf", "docx", "pptx", "xlsx", "xls", "hwp", "hwpx", "html", "eml", "md", "txt", "csv", "image"
]

_HEAD_BYTES = 8192
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
_IMAGE_MAGICS = (b"\x89PNG", b"\xff\xd8\xff", b"GIF87a", b"GIF89a", b"II*\x00", b"MM\x00*")
_BINARY_EXTENSIONS = frozenset(
    {".pdf", ".hwp", ".hwpx", ".doc", ".docx", ".docm", ".ppt", ".pptx", ".pptm"}
    | {".xls", ".xlsx", ".xlsm"}
)
_TEXT_EXTENSIONS: dict[str, FileKind] = {
    ".md": "md",
    ".markdown": "md",
    ".csv": "csv",
    ".tsv": "csv",
    ".htm": "html",
    ".html": "html",
    ".xhtml": "html",
    ".eml": "eml",
}
_HTML_START = re.compile(
    r"^\s*(<\?xml[^>]*>\s*)?(<!--.*?-->\s*)*(<!doctype\s+html|<html|<head|<body)", re.I | re.S
)
_HWPML = re.compile(r"^\ufeff?\s*(<\?xml[^>]*>\s*)?(<!--.*?-->\s*)*<HWPML\b", re.S)
_MAIL_HEADER = re.compile(r"^([A-Za-z][A-Za-z0-9-]{0,60}):[ \t]", re.M)
_MAIL_NAMES = frozenset(
    {"from", "to", "subject", "date", "received", "message-id", "mime-version", "return-path"}
)
_OOXML_MAIN_TYPES: tuple[tuple[str, FileKind], ...] = (
    ("wordprocessingml.document.main", "docx"),
    ("wordprocessingml.template.main", "docx"),
    ("presentationml.presentation.main", "pptx"),
    ("presentationml.slideshow.main", "pptx"),
    ("spreadsheetml.sheet.main", "xlsx"),
    ("spreadsheetml.template.main", "xlsx"),
)


def sniff(path: Path, max_unpacked_mb: float = MAX_UNPACKED_MB) -> FileKind:
    """The parser to use for `path`; raises the ParseError that makes parsing pointless."""
    name = path.name
    with path.open("rb") as handle:
        head = handle.read(_HEAD_BYTES)
    if not head:
        raise EmptyDocument(f"'{name}' 파일이 비어 있습니다 (0바이트).")
    vendor = _drm_vendor(head)
    if vendor:
        raise EncryptedFile(_drm_message(name, vendor))
    if b"%PDF-" in head[:1024]:
        return "pdf"
    if head.startswith(_OLE_MAGIC):
        return _sniff_ole(path)
    if head.startswith(_ZIP_MAGICS):
        return _sniff_zip(path, max_unpacked_mb)
    if head.startswith(b"HWP Document File V"):
        raise UnsupportedFileType(
            f"'{name}'은(는) HWP 3.0 이하의 옛 한글 문서입니다. 한글에서 HWP 5.0(.hwp) 또는 "
            "HWPX로 다시 저장해 올려 주세요."
        )
    if head.startswith(_IMAGE_MAGICS):
        return "image"  # read by OCR (images.py)
    if head.startswith(b"{\\rtf"):
        raise UnsupportedFileType(f"'{name}'은(는) RTF 문서입니다. .docx로 저장해 올려 주세요.")
    if looks_like_text(head):
        return _sniff_text(path, head)
    suffix = path.suffix.lower()
    if suffix in _BINARY_EXTENSIONS:
        raise CorruptFile(
            f"'{name}' 파일의 내용이 {suffix} 형식이 아닙니다. 손상되었거나 다른 형식의 파일입니다."
        )
    raise UnsupportedFileType(f"'{name}'은(는) 지원하지 않는 파일 형식입니다.")


def _drm_vendor(head: bytes) -> str | None:
    if b"FasooSecureContainer" in head[:512]:
        return "Fasoo"
    if b"SCDSA00" in head[:64]:
        return "SoftCamp"
    known_format = (
        b"%PDF-" in head[:1024] or head.startswith(_OLE_MAGIC) or head.startswith(_ZIP_MAGICS)
    )
    # MarkAny also watermarks readable PDFs, so its name only means DRM in an unknown binary.
    if b"MarkAny" in head[:1024] and not known_format and not looks_like_text(head[:1024]):
        return "MarkAny"
    return None


def _drm_message(name: str, vendor: str) -> str:
    return (
        f"'{name}' 파일은 {vendor} DRM(문서 보안)으로 암호화되어 있어 읽을 수 없습니다. "
        "보안을 해제(복호화)한 원본 파일을 올려 주세요."
    )


def _sniff_ole(path: Path) -> FileKind:
    name = path.name
    try:
        with olefile.OleFileIO(str(path)) as ole:
            entries = ["/".join(e) for e in ole.listdir(streams=True, storages=True)]
            if any(_is_drm_stream(e) for e in entries):
                raise EncryptedFile(_drm_message(name, "Fasoo"))
            if "EncryptionInfo" in entries or "EncryptedPackage" in entries:
                raise EncryptedFile(
                    f"'{name}' 파일은 열기 암호가 걸린 Office 문서라 읽을 수 없습니다. "
                    "암호를 해제한 뒤 다시 올려 주세요."
                )
            if "FileHeader" in entries and _is_hwp_header(ole.openstream("FileHeader").read(17)):
                return "hwp"
            legacy = _legacy_office(entries)
    except OSError as exc:
        raise CorruptFile(f"'{name}' 파일이 손상되어 읽을 수 없습니다 (OLE2: {exc}).") from exc
    if legacy is None:
        raise UnsupportedFileType(f"'{name}'은(는) 지원하지 않는 OLE2(복합 문서) 형식입니다.")
    if _legacy_encrypted(path):
        raise EncryptedFile(
            f"'{name}' 파일은 열기 암호가 걸린 Office 문서라 읽을 수 없습니다. "
            "암호를 해제한 뒤 다시 올려 주세요."
        )
    if legacy == "xls":
        return "xls"
    newer = {"doc": "docx", "ppt": "pptx", "msg": "eml"}[legacy]
    raise UnsupportedFileType(
        f"'{name}'은(는) 예전 Office 형식(.{legacy})입니다. .{newer} 형식으로 저장해 올려 주세요."
    )


def _is_hwp_header(header: bytes) -> bool:
    return header == b"HWP Document File"


def _is_drm_stream(entry: str) -> bool:
    return any(
        part.upper().startswith("FSN") or "DRMONE" in part.upper() for part in entry.split("/")
    )


def _legacy_office(entries: list[str]) -> str | None:
    if "WordDocument" in entries:
        return "doc"
    if "Workbook" in entries or "Book" in entries:
        return "xls"
    if "PowerPoint Document" in entries:
        return "ppt"
    if any(e.startswith("__substg1.0_") for e in entries):
        return "msg"
    return None


def _legacy_encrypted(path: Path) -> bool:
    """RC4/CryptoAPI-protected .doc/.xls/.ppt, as msoffcrypto (an unstructured[xlsx]
    dependency) reads their FIB, FILEPASS record or encrypted-summary stream."""
    try:
        import msoffcrypto

        with path.open("rb") as handle:
            return bool(msoffcrypto.OfficeFile(handle).is_encrypted())
    except Exception:
        return False  # unknown: let the parser try and report what it finds


def _refuse_bomb(zf: zipfile.ZipFile, path: Path, limit_mb: float) -> None:
    """DOCX/XLSX/PPTX/HWPX are ZIPs: refuse one that would unpack past the configured limit.

    The declared sizes bound what zipfile will inflate, so checking them is enough.
    """
    unpacked = sum(info.file_size for info in zf.infolist())
    if unpacked > limit_mb * 1_048_576:
        raise TooLarge(
            f"'{path.name}'은(는) 압축을 풀면 {unpacked / 1_048_576:,.0f} MB가 되어 "
            f"한도({limit_mb:g} MB)를 넘습니다. 압축 폭탄이거나 비정상적인 문서입니다."
        )


def _sniff_zip(path: Path, max_unpacked_mb: float) -> FileKind:
    name = path.name
    try:
        with zipfile.ZipFile(path) as zf:
            _refuse_bomb(zf, path, max_unpacked_mb)
            names = set(zf.namelist())
            if "word/document.xml" in names:
                return "docx"
            if "ppt/presentation.xml" in names:
                return "pptx"
            if "xl/workbook.xml" in names:
                return "xlsx"
            mimetype = zf.read("mimetype")[:64].strip() if "mimetype" in names else b""
            if mimetype == b"application/hwp+zip" or any(
                n.startswith("Contents/section") for n in names
            ):
                return "hwpx"
            if "[Content_Types].xml" in names:
                content_types = zf.read("[Content_Types].xml").decode("utf-8", "replace")
                for marker, kind in _OOXML_MAIN_TYPES:
                    if marker in content_types:
                        return kind
    except (zipfile.BadZipFile, EOFError, OSError, KeyError) as exc:
        raise CorruptFile(
            f"'{name}' 파일이 손상되었거나 잘려 있어 읽을 수 없습니다 (ZIP: {exc})."
        ) from exc
    if mimetype.startswith(b"application/vnd.oasis.opendocument"):
        raise UnsupportedFileType(
            f"'{name}'은(는) ODF(오픈오피스) 문서입니다. .docx/.xlsx/.pptx로 저장해 올려 주세요."
        )
    raise UnsupportedFileType(
        f"'{name}'은(는) 문서가 아닌 ZIP 압축 파일입니다. 풀어서 올려 주세요."
    )


def _sniff_text(path: Path, head: bytes) -> FileKind:
    suffix = path.suffix.lower()
    try:
        text = decode_text(head)
    except UnsupportedFileType:
        text = ""
    if _HWPML.match(text):
        raise UnsupportedFileType(
            f"'{path.name}'은(는) HWPML(한글 XML, .hml) 문서입니다. 한글에서 HWPX(.hwpx) 또는 "
            "HWP(.hwp)로 다시 저장해 올려 주세요."
        )
    if _HTML_START.match(text) or (suffix in (".htm", ".html", ".xhtml") and "<" in text):
        return "html"
    if suffix == ".eml" or _looks_like_mail(text):
        return "eml"
    return _TEXT_EXTENSIONS.get(suffix, "txt")


def _looks_like_mail(text: str) -> bool:
    """RFC 822 headers at the very top, including at least two well-known ones."""
    header_block = text.lstrip("\ufeff").split("\n\n", 1)[0].replace("\r", "")
    if not _MAIL_HEADER.match(header_block):
        return False
    names = {m.group(1).lower() for m in _MAIL_HEADER.finditer(header_block)}
    return len(names & _MAIL_NAMES) >= 2
