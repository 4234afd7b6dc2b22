"""Printed documents of the evaluation: certificates, decisions, score summaries.

Renderers take plain data (``data.py``), never models, and return bytes; ``build.py``
turns the evaluation's records into that data. WeasyPrint is imported inside the
functions that need it, so that importing the evaluation never loads a PDF engine.
"""
