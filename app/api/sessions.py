"""GET/DELETE /v1/sessions/{id}: a caller's own conversation; anyone else's reads as unknown."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Path
from pydantic import BaseModel, Field

from app.api.ask import unknown_session
from app.api.deps import CallerDep, ServicesDep
from app.db.models import Feedback
from app.schemas import Text

router = APIRouter(tags=["sessions"])

SessionPath = Path(pattern=r"^[0-9a-f]{32}$", description="A session id the API handed out.")


@router.get("/v1/sessions/{session_id}")
def session_turns(
    caller: CallerDep, services: ServicesDep, session_id: str = SessionPath
) -> dict[str, Any]:
    """The session's recent answers exactly as they were served, citations included."""
    turns = services.conversations.listed(session_id, caller.subject)
    if turns is None:
        raise unknown_session()
    return {"session_id": session_id, "turns": [dict(turn.record) for turn in turns]}


@router.delete("/v1/sessions/{session_id}", status_code=204)
def delete_session(caller: CallerDep, services: ServicesDep, session_id: str = SessionPath) -> None:
    if not services.conversations.delete(session_id, caller.subject):
        raise unknown_session()


class FeedbackRequest(BaseModel):
    rating: Literal[-1, 1] = Field(description="1 = helpful, -1 = not helpful.")
    comment: Text = Field(default="", max_length=2000)


@router.post("/v1/sessions/{session_id}/feedback", status_code=201)
def feedback(
    request: FeedbackRequest,
    caller: CallerDep,
    services: ServicesDep,
    session_id: str = SessionPath,
) -> dict[str, Any]:
    """A rating of the session's answers, kept for whoever tunes the service."""
    if not services.conversations.owns(session_id, caller.subject):
        raise unknown_session()
    with services.database.session() as s:
        s.add(
            Feedback(
                owner=caller.subject,
                session_id=session_id,
                rating=request.rating,
                comment=request.comment,
            )
        )
    return {"session_id": session_id, "rating": request.rating}
