"""One narrow store interface (base.py) and its two Qdrant adapters (edge.py, server.py)."""
