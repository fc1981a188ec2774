"""Answering: prompts, LLM backends, citations, the consistency check, the API and the CLI."""
