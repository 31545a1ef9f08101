"""Retrieved passages → a cited answer."""
from bot.answerer import Answerer

__all__ = ["Answerer"]
