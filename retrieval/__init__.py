"""Embedding, Korean BM25 sparse encoding, the Qdrant store and hybrid search."""
