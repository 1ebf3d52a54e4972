"""Reading the demo world's data files (``demo/data/*.json``, shipped as package data)."""

from __future__ import annotations

import json
from functools import cache
from importlib.resources import files
from typing import Any

__all__ = ["frozen", "read_json"]


@cache
def _text(name: str) -> str:
    return files("demo").joinpath("data", name).read_text(encoding="utf-8")


def read_json(name: str) -> Any:
    """The parsed JSON file ``demo/data/<name>``: read once per process, parsed anew on each
    call so that no caller can change what another one gets.

    Raises:
        FileNotFoundError: when the package was installed without its data files.
    """
    return json.loads(_text(name))


def frozen(value: Any) -> Any:
    """``value`` with every list turned into a tuple, at any depth."""
    if isinstance(value, list):
        return tuple(frozen(item) for item in value)
    if isinstance(value, dict):
        return {key: frozen(item) for key, item in value.items()}
    return value
