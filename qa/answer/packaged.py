"""Fitted weights shipped with the package, in ``qa/answer/data`` (written by the ``eval``
trainers, read here)."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any


def packaged_json(name: str) -> Any | None:
    """The parsed ``qa/answer/data/<name>``; None when the package does not ship it."""
    try:
        text = resources.files("qa.answer").joinpath(f"data/{name}").read_text(encoding="utf-8")
    except (FileNotFoundError, ModuleNotFoundError):
        return None
    return json.loads(text)
