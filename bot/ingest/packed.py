"""Files compressed as sites keep them: gzip (`sitemap.xml.gz`, a feed a server compressed without saying so, a
static site's `story.html.gz` made beside `story.html` for servers to send as it is), which the standard library
unpacks. Never past a limit: a few kilobytes may unpack to gigabytes."""

from __future__ import annotations

import zlib

_GZIP_MAGIC = b"\x1f\x8b"


def gunzipped(data: bytes, limit: int, kind: str) -> bytes | str:
    """`data` uncompressed when it is gzip, else as it is; a reason when it cannot be read, or unpacks to more than
    `limit` bytes, the limit for `kind` ("a feed")."""
    if not data.startswith(_GZIP_MAGIC):
        return data
    inflater = zlib.decompressobj(wbits=zlib.MAX_WBITS | 16)
    try:
        # At most one byte past the limit.
        unpacked = inflater.decompress(data, limit + 1)
    except zlib.error as exc:
        return f"gzip-compressed, but broken ({exc})"
    if len(unpacked) > limit:
        return f"gzip-compressed, and over {limit:,} bytes unpacked (the limit for {kind})"
    return unpacked if inflater.eof else "gzip-compressed, but cut short"
