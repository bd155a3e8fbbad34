"""Canonical links: one spelling per page, so the same story reached by two links is recognised as one."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

# Query parameters that say how a reader arrived, not what they read (campaign and ad-click identifiers).
TRACKING_PREFIXES = ("utm_", "mtm_")
TRACKING_PARAMETERS = frozenset(
    {
        "fbclid", "gclid", "gclsrc", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "twclid", "ttclid", "igshid",
        "mc_cid", "mc_eid", "mkt_tok", "_hsenc", "_hsmi", "oly_anon_id", "oly_enc_id", "vero_id", "vero_conv",
        "wt_mc", "pk_campaign", "pk_kwd", "pk_source", "pk_medium", "at_medium", "at_campaign", "ns_mchannel",
        "ns_source", "ns_campaign", "ns_linkname", "ns_fee", "ocid", "cmpid", "smid", "ref_src",
        # The reader's session, which Java and PHP sites write into every link for a reader keeping no cookie (a
        # feed poller): a new one on every poll made every entry a new link.
        "jsessionid", "phpsessid",
    }
)  # fmt: skip
# The same written into the path, as Java servlets do: "/story.html;jsessionid=0A1B2C".
_SESSION_IN_PATH = re.compile(r";jsessionid=[^/;]*", re.IGNORECASE)
_DEFAULT_PORTS = {"http": 80, "https": 443}
# A link written without its scheme, as people type them and spreadsheets show them ("www.paper.example/story",
# "bbc.co.uk/news/x"): a host of two labels or more, the last of letters (a top-level domain), then a path, or a
# host starting "www." alone. A bare "story.md", "Reuters/AP", a page's file on its site ("story.php?id=4", its last
# label a file's suffix) or a network share's "//server/news" is none.
_FILE_SUFFIX = r"(?:html?|php|aspx?|jsp|cgi|txt|md|pdf|json|xml)\b"
_HOST = rf"(?:[^\W_](?:[\w-]*[^\W_])?\.)+(?!{_FILE_SUFFIX})[^\W\d_]{{2,63}}(?::\d{{1,5}})?"
_SCHEMELESS = re.compile(rf"(?:www\.{_HOST}(?:[/?#]\S*)?|{_HOST}[/?#]\S*)", re.IGNORECASE)
# The same of a machine on the reader's own network, as a test server's address is typed ("127.0.0.1:8756/story",
# "localhost:8000/feed.xml"): a port or a path after it, where "127.0.0.1" alone may be a file's name.
_LOCAL = re.compile(r"(?:localhost|\d{1,3}(?:\.\d{1,3}){3})(?::\d{1,5}(?:[/?#]\S*)?|[/?#]\S*)", re.IGNORECASE)


def is_web_url(url: str) -> bool:
    """Whether `url` is an absolute http or https address with a host."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return False
    return parts.scheme.lower() in _DEFAULT_PORTS and bool(parts.hostname)


def web_link(text: str) -> str | None:
    """The link a reader can follow that `text` writes, canonical (`canonical_url`): an http or https address, or
    one written without its scheme (`_SCHEMELESS`), read as https, as browsers' address bars do; None for anything
    else ("n/a", a path on a site, a file's name)."""
    text = text.strip()
    if _SCHEMELESS.fullmatch(text):
        text = f"https://{text}"
    return canonical_url(text) if is_web_url(text) else None


def typed_address(text: str) -> str | None:
    """The address a reader meant who typed one without its scheme (`web_link`'s, and a local machine's, `_LOCAL`):
    https for a site, http for a machine on the reader's network, which seldom has a certificate; None for anything
    else."""
    text = text.strip()
    if _LOCAL.fullmatch(text):
        return canonical_url(f"http://{text}")
    return web_link(text)


def joined(base: str, href: str) -> str:
    """`href` read against `base`, as a browser follows a link; "" when it is no address at all (an unclosed IPv6
    bracket, `https://host[/story`, made urljoin raise out of the reader)."""
    try:
        return urljoin(base, href)
    except ValueError:
        return ""


def canonical_url(url: str) -> str:
    """`url` without tracking parameters (and session ids), fragment, credentials, default port and upper case in
    scheme and host.

    The path and the other parameters keep their order and spelling: servers may treat them as meaningful.
    Anything but an http(s) address comes back stripped and otherwise unchanged.
    """
    text = url.strip()
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        return text
    scheme = parts.scheme.lower()
    host = parts.hostname  # lower case, without brackets
    if scheme not in _DEFAULT_PORTS or not host:
        return text
    if ":" in host:
        host = f"[{host}]"
    netloc = host if port in (None, _DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    kept = [(key, value) for key, value in pairs if not _tracking(key)]
    # An untouched query keeps its exact spelling; only one that lost a parameter is written again.
    query = parts.query if len(kept) == len(pairs) else urlencode(kept)
    path = _SESSION_IN_PATH.sub("", parts.path) or "/"
    return urlunsplit((scheme, netloc, path, query, ""))


def _tracking(key: str) -> bool:
    lowered = key.lower()
    return lowered in TRACKING_PARAMETERS or lowered.startswith(TRACKING_PREFIXES)
