"""Hostile inputs for the tests: a deterministic corpus of broken and malicious files (see corpus.py)."""
from .corpus import HOSTILE_NAMES, Case, build_corpus, corpus_cases

__all__ = ["Case", "build_corpus", "corpus_cases", "HOSTILE_NAMES"]
