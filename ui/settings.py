"""UI configuration: where the API is and how long to wait for it."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class UISettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="KDOCQA_", extra="ignore")

    api_url: str = "http://127.0.0.1:8000"
    ui_timeout_s: float = Field(
        default=300.0, description="Longest wait for one API reply (an answer on CPU: ~30 s)."
    )
