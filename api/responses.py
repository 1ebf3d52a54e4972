"""Fast JSON answers for the hot routes: the body is encoded with orjson where the route runs
(a worker thread for a sync route), so the event loop only sends bytes, and FastAPI neither
validates the returned model again nor serialises it on the loop.

A route that answers this way keeps ``response_model=`` in its decorator (the OpenAPI document
and the contract stay the model's) and builds plain JSON types in the model's field order;
its tests check that the bytes are exactly the model's JSON.
"""

from __future__ import annotations

from typing import Any

import orjson
from fastapi import Response

__all__ = ["encode_json", "json_response"]

# numpy scalars and arrays come out as numbers and lists (a score may be a numpy float).
_OPTIONS = orjson.OPT_SERIALIZE_NUMPY


def encode_json(content: Any) -> bytes:
    """``content`` as compact UTF-8 JSON bytes (no spaces, non-ASCII kept, NaN as null, str
    enums as their values), the way pydantic's JSON serialiser writes the same values.

    Raises:
        TypeError: a value that is not JSON (a set, a Decimal, an object): a 500, never a
            silently different body.
    """
    return orjson.dumps(content, option=_OPTIONS)


def json_response(content: Any, *, status_code: int = 200) -> Response:
    """A ``200 application/json`` response of ``content`` encoded by :func:`encode_json`."""
    return Response(encode_json(content), status_code=status_code, media_type="application/json")
