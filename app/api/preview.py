"""GET /v1/documents/{id}/preview: the evidence without the file. A PDF page is rendered to a
PNG (pypdfium2, longest side bounded); any other format, or `format=text`, gets the text of
the chunks on that page (or of one chunk) as JSON. A document the caller may not read answers
exactly like one that does not exist (404)."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Annotated, Any, Literal

import pypdfium2 as pdfium
from fastapi import APIRouter, Query
from fastapi import Path as PathParam
from fastapi.responses import Response

from app.api.deps import CallerDep, ServicesDep
from app.api.documents import readable_document
from app.api.errors import ApiError
from app.inventory import ChunkInfo, DocumentInfo, document_chunks

router = APIRouter(tags=["documents"])

MAX_TEXT_CHUNKS = 20
DocumentId = PathParam(pattern=r"^[0-9a-f-]{36}$", description="A citation's document_id.")


def _page_png(path: Path, page: int, max_px: int) -> bytes:
    """One page as a PNG whose longest side is at most `max_px` (never upscaled past 2x)."""
    pdf = pdfium.PdfDocument(str(path))
    try:
        if not 1 <= page <= len(pdf):
            raise ApiError(404, "unknown_page", f"이 문서에는 {len(pdf)}쪽까지 있습니다.")
        sheet = pdf[page - 1]
        width, height = sheet.get_size()
        scale = min(2.0, max_px / max(width, height, 1.0))
        image = sheet.render(scale=scale).to_pil()
        buffer = io.BytesIO()
        image.save(buffer, format="PNG", optimize=True)
        return buffer.getvalue()
    finally:
        pdf.close()


def _text_preview(
    document: DocumentInfo, chunks: list[ChunkInfo], page: int | None, chunk: int | None
) -> dict[str, Any]:
    if chunk is not None:
        chosen = [c for c in chunks if c.index == chunk]
    elif page is not None:
        chosen = [c for c in chunks if page in c.pages]
    else:
        chosen = chunks
    return {
        "document_id": document.id,
        "document": Path(document.file_name).stem,
        "file_name": document.file_name,
        "file_type": document.file_type,
        "page": page,
        "chunks": [vars(c) for c in chosen[:MAX_TEXT_CHUNKS]],
    }


@router.get("/v1/documents/{document_id}/preview", response_model=None)
def preview(
    caller: CallerDep,
    services: ServicesDep,
    document_id: str = DocumentId,
    page: Annotated[int | None, Query(ge=1, le=100_000)] = None,
    chunk: Annotated[int | None, Query(ge=0, le=1_000_000)] = None,
    format: Annotated[Literal["auto", "text"], Query()] = "auto",
) -> Response | dict[str, Any]:
    document = readable_document(services, caller, document_id)
    source = Path(document.source_uri)
    is_pdf = document.file_type == "pdf"
    if format == "auto" and is_pdf and page is not None and source.is_file():
        png = _page_png(source, page, services.app.preview_max_px)
        services.audit.record(caller, "preview", document=document_id, page=page)
        return Response(png, media_type="image/png", headers={"Cache-Control": "private"})
    services.audit.record(caller, "preview", document=document_id, page=page, chunk=chunk)
    return _text_preview(document, document_chunks(services.store, document), page, chunk)
