"""POST /v1/feedback: a 👍 / 👎 (and an optional comment) on one answer of the caller's own
session, kept with what was asked and answered so that `python -m eval feedback` can turn the
ratings into evaluation questions."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter
from pydantic import BaseModel, Field

from app.api.ask import unknown_session
from app.api.deps import CallerDep, ServicesDep
from app.api.errors import ApiError
from app.db.models import Feedback
from app.identity import Caller
from app.schemas import SessionId, Text
from app.services import Services

router = APIRouter(tags=["feedback"])

Rating = Annotated[Literal[-1, 1], Field(description="1 = helpful, -1 = not helpful.")]
Comment = Annotated[Text, Field(default="", max_length=2000)]


class FeedbackRequest(BaseModel):
    session_id: SessionId
    turn: int | None = Field(
        default=None, ge=0, le=10_000, description="0-based turn in the session; unset = latest."
    )
    rating: Rating
    comment: Comment = ""


def record_feedback(
    services: Services,
    caller: Caller,
    session_id: str,
    turn: int | None,
    rating: int,
    comment: str,
) -> dict[str, Any]:
    """Store one rating; 404 for a session that is not the caller's or a turn it lacks."""
    if not services.conversations.owns(session_id, caller.subject):
        raise unknown_session()
    rated = services.conversations.turn_at(session_id, caller.subject, turn)
    if rated is None:
        raise ApiError(404, "unknown_turn", "평가할 답변이 이 대화에 없습니다.")
    cited = sorted({str(c.get("document", "")) for c in rated.record.get("citations", [])})
    with services.database.session() as s:
        s.add(
            Feedback(
                owner=caller.subject,
                session_id=session_id,
                turn=turn,
                rating=rating,
                comment=comment,
                question=str(rated.record.get("asked") or rated.question),
                answer=rated.answer,
                cited=cited,
            )
        )
    services.audit.record(caller, "feedback", session=session_id, turn=turn, rating=rating)
    return {"session_id": session_id, "turn": turn, "rating": rating}


@router.post("/v1/feedback", status_code=201)
def feedback(request: FeedbackRequest, caller: CallerDep, services: ServicesDep) -> dict[str, Any]:
    return record_feedback(
        services, caller, request.session_id, request.turn, request.rating, request.comment
    )
