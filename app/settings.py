"""Answering and serving configuration."""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class AppSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="KDOCQA_", extra="ignore")

    llm_model: str = Field(
        default="qwen2.5-coder-1.5b",
        description="An offline model name ('qwen2.5-coder-1.5b', 'qwen2.5-coder-0.5b', provisioned "
        "by `kdocqa models`) or a path to a GGUF file.",
    )
    llm_base_url: str | None = Field(
        default=None,
        description="OpenAI-compatible server (llama.cpp server, vLLM) instead of the in-process "
        "model; several comma-separated: load spread by requests in flight, failover between them.",
    )
    llm_retry_cooldown_s: float = Field(
        default=30.0,
        description="A server that failed is tried last for this long (when several are listed).",
    )
    llm_api_key: str = "not-needed"
    llm_remote_model: str = "default"
    llm_context: int = 4096
    llm_threads: int | None = None
    llm_gpu_layers: int = Field(
        default=-1, description="-1 offloads every layer when CUDA is present."
    )
    llm_max_tokens: int = 384
    llm_temperature: float = Field(
        default=0.0, description="0 = greedy: the same question gets the same answer."
    )
    llm_timeout_s: float = Field(
        default=120.0, description="Longest wait for the model (queue) or a server's reply."
    )
    llm_generation_s: float = Field(
        default=300.0,
        description="A generation still running after this is stopped; what was written so far "
        "is checked as the answer.",
    )
    llm_queue_size: int = Field(default=8, description="Waiting requests before 503 + Retry-After.")
    context_tokens: int = Field(
        default=2048, description="Token budget for passages in the prompt (model tokenizer)."
    )
    retrieve_k: int = Field(
        default=4, description="Passages given to the LLM (prompt length drives CPU latency)."
    )
    prompt_units: int = Field(
        default=0,
        description="Passage units (lines, sentences, table rows) the prompt shows, the ones "
        "closest to the question; 0 shows the passages whole. The check reads them whole.",
    )
    min_relevance: float = Field(
        default=0.80,
        description="Best dense cosine below this means nothing relevant was found: refuse.",
    )
    max_question_chars: int = 2000
    consistency_threshold: float | None = Field(
        default=None,
        description="P(supported) below this labels a sentence unsupported; unset = the threshold "
        "calibrated on KLUE-NLI dev (app/consistency/calibration.json).",
    )
    answer_threshold: float | None = Field(
        default=None,
        ge=0.0,
        le=1.0,
        description="P(right) an answer needs to be shown; unset = the threshold chosen on the "
        "dev split at equal cost (app/consistency/decision.json). Lower shows more answers and "
        "more wrong ones.",
    )
    consistency_judge: Literal["auto", "on", "off"] = Field(
        default="auto",
        description="Ask the LLM to verify each sentence (one short call per sentence); auto = "
        "only when that is cheap: llama.cpp on a GPU, or a remote server.",
    )
    unsupported_policy: Literal["flag", "withhold"] = "flag"
    api_host: str = "127.0.0.1"
    api_port: int = 8000
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL of the service's own database (keys, sessions, feedback, "
        "audit), e.g. postgresql://user:pw@host/kdocqa; unset = SQLite file data/kdocqa.db.",
    )
    trusted_hosts: list[str] = Field(
        default_factory=lambda: ["localhost", "127.0.0.1", "testserver"],
        description="Host header values the API answers (DNS-rebinding guard); '*' = any.",
    )
    gateway_secret: str | None = Field(
        default=None,
        description="Trusted-gateway mode: a request carrying this secret in "
        "gateway_secret_header is identified by the user/groups/role headers. Off when unset.",
    )
    gateway_secret_header: str = "X-Kdocqa-Gateway-Secret"
    gateway_user_header: str = "X-Kdocqa-User"
    gateway_groups_header: str = "X-Kdocqa-Groups"
    gateway_role_header: str = "X-Kdocqa-Role"
    rate_limit_per_minute: float = Field(
        default=120.0, description="Requests per minute per key (token bucket); 0 = no limit."
    )
    rate_limit_burst: int = Field(default=30, description="Requests a key may make at once.")
    max_json_kb: int = Field(default=1024, description="Largest JSON request body (413 above).")
    max_json_depth: int = Field(default=32, description="Deepest JSON nesting (422 above).")
    audit_retention_days: int = Field(default=365, description="Audit events older are dropped.")
    session_turns: int = Field(default=4, description="Recent turns a follow-up is rewritten from.")
    preview_max_px: int = Field(
        default=1400, ge=200, le=4000, description="Longest side of a rendered PDF page preview."
    )


@lru_cache(maxsize=1)
def get_settings() -> AppSettings:
    return AppSettings()
