"""An unexpected error is a 500 problem (or page) that leaks nothing, and the keep-alive
connection stays usable: the client's next request on it is answered. Real uvicorn, raw
sockets, so nothing reconnects behind the test's back."""

from __future__ import annotations

import socket
from urllib.parse import urlsplit

import pytest
from fastapi import FastAPI

from api.app import create_app
from core.settings import Settings
from matcher.service import MatchService
from storage.database import Database
from tests.live import serve


def _boom() -> None:
    raise RuntimeError("secret detail that must not leak")


@pytest.fixture
def app(settings: Settings, database: Database, matcher: MatchService) -> FastAPI:
    application = create_app(settings, database=database, matcher=matcher)
    application.add_api_route("/v1/boom", _boom, methods=["GET"])
    application.add_api_route("/boom-page", _boom, methods=["GET"])
    return application


def _read_response(sock: socket.socket) -> bytes:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            return data
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        body += chunk
    return head + b"\r\n\r\n" + body


@pytest.mark.parametrize(
    ("path", "content_type"),
    [("/v1/boom", b"application/problem+json"), ("/boom-page", b"text/html")],
)
def test_a_500_keeps_the_connection_open(app: FastAPI, path: str, content_type: bytes) -> None:
    with serve(app) as url:
        parts = urlsplit(url)
        with socket.create_connection((parts.hostname, parts.port), timeout=10) as sock:
            sock.sendall(f"GET {path} HTTP/1.1\r\nHost: test\r\n\r\n".encode())
            first = _read_response(sock)
            assert first.startswith(b"HTTP/1.1 500"), first[:200]
            assert content_type in first
            assert b"secret detail" not in first
            assert b"connection: close" not in first.lower()
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: test\r\n\r\n")
            second = _read_response(sock)
            assert second.startswith(b"HTTP/1.1 200"), second[:200]
