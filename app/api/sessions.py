"""GET /v1/sessions (the caller's own), GET/DELETE /v1/sessions/{id}: a caller's own
conversations; anyone else's reads as unknown."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel

from app.api.ask import unknown_session
from app.api.deps import CallerDep, ServicesDep
from app.api.feedback import Comment, Rating, record_feedback

router = APIRouter(tags=["sessions"])

SessionPath = Path(pattern=r"^[0-9a-f]{32}$", description="A session id the API handed out.")


@router.get("/v1/sessions")
def my_sessions(
    caller: CallerDep, services: ServicesDep, limit: Annotated[int, Query(ge=1, le=200)] = 50
) -> dict[str, Any]:
    """The caller's own sessions that hold an answer, most recently used first."""
    return {"sessions": services.conversations.owned(caller.subject, limit)}


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


class SessionFeedbackRequest(BaseModel):
    rating: Rating
    comment: Comment = ""


@router.post("/v1/sessions/{session_id}/feedback", status_code=201)
def feedback(
    request: SessionFeedbackRequest,
    caller: CallerDep,
    services: ServicesDep,
    session_id: str = SessionPath,
) -> dict[str, Any]:
    """A rating of the session's latest answer (POST /v1/feedback names the turn)."""
    return record_feedback(services, caller, session_id, None, request.rating, request.comment)
