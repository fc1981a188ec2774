"""Streamlit chat for employees; talks to the API over HTTP only."""
