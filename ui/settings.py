"""UI configuration: where the API is."""

from __future__ import annotations

from pydantic_settings import BaseSettings, SettingsConfigDict


class UISettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="KDOCQA_", extra="ignore")

    api_url: str = "http://127.0.0.1:8000"
    ui_timeout_s: float = 300.0
