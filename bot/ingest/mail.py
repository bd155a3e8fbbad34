"""E-mail messages saved as files (`.eml`: a mail program's "Save as", a press office's release as it arrived).

One was read as the seed's text format: its `From:` line the headline, its `Content-Type:` header a passage. Its
subject is the headline (without `Fwd:`, `Re:` or `PRESS RELEASE:`), its sender the author, its `Date:` the date,
and its text (the HTML part, which keeps paragraphs, else the plain one) the paragraphs, without the signature under
`-- `.
"""

from __future__ import annotations

import email
import re
from email import policy
from email.message import EmailMessage

from bot.errors import ArticleError
from bot.ingest.dates import FileDates, read_date
from bot.ingest.markup import html_paragraphs
from bot.ingest.text import split_paragraphs
from bot.models import Article

# What a subject carries before the headline: a reply's or a forward's mark, a press release's label.
_REPLY = re.compile(
    r"^(?:\s*(?:re|fwd?|aw|wg|tr|press release|news release|for immediate release)\s*[:\u2013\u2014-]\s*)+",
    re.IGNORECASE,
)
# A signature starts at a line of `-- ` (RFC 3676's delimiter).
_SIGNATURE = re.compile(r"\n-- ?\n.*", re.DOTALL)


def parse_email(data: bytes, origin: str, dates: FileDates | None = None) -> tuple[Article, str | None]:
    """The story an e-mail message (its bytes) tells, and the note on its date (see `read_date`)."""
    message = email.message_from_bytes(data, policy=policy.default)
    if not isinstance(message, EmailMessage) or not message.keys():
        raise ArticleError("not an e-mail message (no headers)")
    title = _REPLY.sub("", " ".join(str(message["subject"] or "").split()))
    if not title:
        raise ArticleError("an e-mail with no subject: its subject is the headline; save it with one")
    body = message.get_body(preferencelist=("html", "plain"))
    text = body.get_content() if isinstance(body, EmailMessage) else ""
    if not isinstance(text, str):
        text = ""
    html = body is not None and body.get_content_subtype() == "html"
    paragraphs = html_paragraphs(text) if html else split_paragraphs(_SIGNATURE.sub("", text.replace("\r\n", "\n")))
    if not paragraphs:
        raise ArticleError("an e-mail with no text (no plain or HTML part)")
    sender = message["from"]
    names = [a.display_name or a.addr_spec for a in getattr(sender, "addresses", ())] if sender else []
    written = str(message["date"] or "").strip()
    published, note = read_date(written, dates) if written else (None, None)
    return (
        Article(
            title=title,
            paragraphs=paragraphs,
            category="",
            published=published,
            url=None,
            author=", ".join(n for n in names if n) or None,
            origin=origin,
        ),
        note,
    )
