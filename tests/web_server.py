"""A real HTTP server on 127.0.0.1 serving the feeds and pages in tests/data, and the ways sites misbehave.

Routes:
- `/feeds/<name>`, `/pages/<name>`, `/polls/<name>`: the file, with an ETag and a Last-Modified; a matching
  If-None-Match or If-Modified-Since gets 304. `?type=...` overrides the Content-Type (`?type=` sends none).
- `/live/<name>`: what the test put in `live[name]` (bytes; changed at will between polls), served like a file,
  after waiting `delays[name]` seconds if set (a site that hangs); or the status `statuses[name]` if set (with the
  headers `headers[name]`, a Retry-After say; only to the next `times[name]` requests if set); or, with
  `name` in `trickling`, its headers at once and its body one byte a tenth of a second (a site overloaded).
- `/redirect/<n>?to=<url>&code=<status>`: n redirects in a row (302, or `code`: 301 says moved for good), then to
  `to`.
- `/again?n=<k>`: a redirect to `/again?n=<k + 1>`, for ever (a loop whose address changes each time).
- `/status/<code>`: that status, with a short body.
- `/slow?seconds=<s>`: waits, then a page; `/trickle?seconds=<s>`: a page one byte a tenth of a second for s.
- `/huge?bytes=<n>&length=0|1`: n bytes of HTML, with or without a Content-Length.
- `/gzip?bytes=<n>`: n bytes of HTML, gzip-compressed on the wire (a small download, a big body).
- `/headers`: the request's headers as JSON.
Every request's path is recorded in `requests`.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import ssl
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.utils import formatdate, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import PurePath
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.paths import DATA

CONTENT_TYPES = {
    ".xml": "application/rss+xml; charset=utf-8",
    ".html": "text/html; charset=utf-8",
    ".json": "application/json",
    ".png": "image/png",
}
# Files whose bytes are not UTF-8 are served without a charset, as many servers do.
NO_CHARSET = {"wrong_encoding.xml", "latin1.html", "rss091.xml", "utf16_cut_declaration.xml"}
LAST_MODIFIED = formatdate(1_700_000_000, usegmt=True)
PARAGRAPH = (
    b"<p>" + b"The harbour council met again to discuss the ferry timetable and the new terrace. " * 10 + b"</p>\n"
)


@dataclass
class WebServer:
    base_url: str
    requests: list[str] = field(default_factory=list)
    stopping: threading.Event = field(default_factory=threading.Event)
    live: dict[str, bytes] = field(default_factory=dict)
    delays: dict[str, float] = field(default_factory=dict)
    statuses: dict[str, int] = field(default_factory=dict)
    times: dict[str, int] = field(default_factory=dict)
    headers: dict[str, dict[str, str]] = field(default_factory=dict)
    trickling: set[str] = field(default_factory=set)

    def url(self, path: str) -> str:
        return self.base_url + path

    def count(self, path: str) -> int:
        """How many requests asked for `path` (with its query, as sent)."""
        return self.requests.count(path)


def _handler(server: WebServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:  # quiet
            pass

        def do_GET(self) -> None:
            server.requests.append(self.path)
            parts = urlsplit(self.path)
            query = {key: values[-1] for key, values in parse_qs(parts.query, keep_blank_values=True).items()}
            segments = parts.path.strip("/").split("/")
            try:
                route = getattr(self, f"route_{segments[0]}", None)
                if segments == ["robots.txt"]:  # a test's own, as a live file (`live["robots.txt"]`), else a 404
                    self.route_live(segments, query)
                elif route is None:
                    self.reply(404, b"no such route")
                else:
                    route(segments[1:], query)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client stopped reading (a size cap, a timeout): what some tests want

        def reply(self, status: int, body: bytes, content_type: str = "text/plain", **headers: str) -> None:
            self.send_response(status)
            if content_type:
                self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            for name, value in headers.items():
                self.send_header(name.replace("_", "-"), value)
            self.end_headers()
            self.wfile.write(body)

        def serve_file(self, folder: str, name: str, query: dict[str, str]) -> None:
            path = DATA / folder / name
            if "/" in name or not path.is_file():
                self.reply(404, b"not found")
                return
            self.serve_bytes(path.read_bytes(), name, query)

        def serve_bytes(self, body: bytes, name: str, query: dict[str, str]) -> None:
            etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
            # As HTTP says: an If-None-Match decides alone; If-Modified-Since counts only without one.
            match = self.headers.get("If-None-Match")
            if (match == etag) if match is not None else self._unmodified_since():
                self.send_response(304)
                self.send_header("ETag", etag)
                self.end_headers()
                return
            kind = CONTENT_TYPES.get(PurePath(name).suffix, "application/octet-stream")
            if name in NO_CHARSET:
                kind = kind.split(";")[0]
            self.reply(200, body, query.get("type", kind), ETag=etag, Last_Modified=LAST_MODIFIED)

        def _unmodified_since(self) -> bool:
            since = self.headers.get("If-Modified-Since")
            try:
                return since is not None and parsedate_to_datetime(since) >= parsedate_to_datetime(LAST_MODIFIED)
            except (TypeError, ValueError):
                return False

        def route_feeds(self, rest: list[str], query: dict[str, str]) -> None:
            self.serve_file("feeds", "/".join(rest), query)

        def route_pages(self, rest: list[str], query: dict[str, str]) -> None:
            self.serve_file("pages", "/".join(rest), query)

        def route_polls(self, rest: list[str], query: dict[str, str]) -> None:
            self.serve_file("polls", "/".join(rest), query)

        def route_live(self, rest: list[str], query: dict[str, str]) -> None:
            name = "/".join(rest)
            if delay := server.delays.get(name):
                server.stopping.wait(delay)
            body = server.live.get(name)
            if status := server.statuses.get(name):
                if name in server.times:
                    server.times[name] -= 1
                    if not server.times[name]:
                        del server.statuses[name], server.times[name]
                self.reply(status, f"status {status}".encode(), **server.headers.get(name, {}))
            elif body is None:
                self.reply(404, b"not found")
            elif name in server.trickling:
                self.send_response(200)
                self.send_header("Content-Type", CONTENT_TYPES[".xml"])
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.trickle(body)
            else:
                self.serve_bytes(body, name, query)

        def route_redirect(self, rest: list[str], query: dict[str, str]) -> None:
            remaining = int(rest[0]) if rest and rest[0].isdigit() else 1
            target = query.get("to", "/pages/minimal.html")
            code = query.get("code", "302")
            location = f"/redirect/{remaining - 1}?to={target}&code={code}" if remaining > 1 else target
            self.reply(int(code), b"", Location=location)

        def route_again(self, rest: list[str], query: dict[str, str]) -> None:
            self.reply(302, b"", Location=f"/again?n={int(query.get('n', '0')) + 1}")

        def route_status(self, rest: list[str], query: dict[str, str]) -> None:
            self.reply(int(rest[0]), f"status {rest[0]}".encode())

        def route_slow(self, rest: list[str], query: dict[str, str]) -> None:
            server.stopping.wait(float(query.get("seconds", "5")))
            self.reply(200, b"<html><body><p>late</p></body></html>", "text/html")

        def route_trickle(self, rest: list[str], query: dict[str, str]) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            self.trickle(b"x" * int(float(query.get("seconds", "5")) * 10))

        def trickle(self, body: bytes) -> None:
            """Send `body` one byte a tenth of a second (until the server stops)."""
            for byte in body:
                if server.stopping.wait(0.1):
                    return
                self.wfile.write(bytes([byte]))
                self.wfile.flush()

        def route_huge(self, rest: list[str], query: dict[str, str]) -> None:
            size = int(query.get("bytes", "20000000"))
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            if query.get("length", "1") == "1":
                self.send_header("Content-Length", str(size))
            else:
                self.send_header("Connection", "close")
            self.end_headers()
            sent = 0
            while sent < size and not server.stopping.is_set():
                chunk = PARAGRAPH[: size - sent]
                self.wfile.write(chunk)
                sent += len(chunk)
            self.close_connection = True

        def route_cut(self, rest: list[str], query: dict[str, str]) -> None:
            """An answer whose connection closes half way through its body, or (`?answer=0`) before any answer."""
            self.close_connection = True
            if query.get("answer", "1") == "0":
                return
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(2 * len(PARAGRAPH)))
            self.end_headers()
            self.wfile.write(PARAGRAPH)

        def route_gzip(self, rest: list[str], query: dict[str, str]) -> None:
            size = int(query.get("bytes", "20000000"))
            body = gzip.compress((PARAGRAPH * (size // len(PARAGRAPH) + 1))[:size])
            self.reply(200, body, "text/html", Content_Encoding="gzip")

        def route_headers(self, rest: list[str], query: dict[str, str]) -> None:
            self.reply(200, json.dumps(dict(self.headers.items())).encode(), "application/json")

    return Handler


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that gives up (a fetch's timeout, a killed process) resets its connection: nothing to report.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


@contextmanager
def serving(tls: ssl.SSLContext | None = None, host: str = "127.0.0.1") -> Iterator[WebServer]:
    """A server on a free port of 127.0.0.1 for the duration of the block (https with `tls`, named `host`)."""
    httpd = _QuietServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    httpd.daemon_threads = True
    if tls is not None:
        httpd.socket = tls.wrap_socket(httpd.socket, server_side=True)
    scheme = "https" if tls is not None else "http"
    server = WebServer(base_url=f"{scheme}://{host}:{httpd.server_address[1]}")
    httpd.RequestHandlerClass = _handler(server)
    # `shutdown` waits for the loop's next look at its flag: every `poll_interval` (0.5 s by default, an average
    # 0.25 s of waiting at the end of each of the few hundred tests that serve feeds and pages).
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.stopping.set()
        httpd.shutdown()
        httpd.server_close()
        thread.join()
