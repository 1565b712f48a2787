"""Streamlit views that app.py puts on the page (the library, rag/, never imports Streamlit)."""
