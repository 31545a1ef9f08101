"""Fake upstream servers (Telegram Bot API, Zalo OA, Messenger Send API) and helpers for channel tests."""
from __future__ import annotations

import dataclasses

from hoidap.config import Settings
from hoidap.wiring import Hoidap, open_hoidap


def corpus_hoidap(data_dir) -> Hoidap:
    """A real store and answerer over the bundled corpus, without vectors (fast)."""
    return open_hoidap(Settings(data_dir=data_dir, embedder="none", public_url="https://hoidap.example.gov.vn"))


def with_settings(hoidap: Hoidap, **changes) -> Hoidap:
    """The same store and answerer, with other channel settings."""
    return dataclasses.replace(hoidap, settings=hoidap.settings.model_copy(update=changes))
