"""Passages → index → hits."""
from retrieval.search import Filters, Retriever

__all__ = ["Filters", "Retriever"]
