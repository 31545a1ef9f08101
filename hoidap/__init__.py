"""Hỏi đáp 57: cited answers about Nghị quyết 57 and the plans implementing it."""

__version__ = "0.1.0"
