"""Passages → index → hits."""
from retrieval.diacritics import DiacriticRestorer
from retrieval.filters import Filters, detect_filters
from retrieval.search import Retriever

__all__ = ["DiacriticRestorer", "Filters", "Retriever", "detect_filters"]
