"""Reading articles: bytes or text in, `Article`s or a reason out; no database, no network.

One module per format or step: `text` (the seed's format), `records` (JSON Lines, JSON, CSV), `markdown`, `files`
(directories), `feeds` (RSS, Atom and JSON Feed), `pages` (web pages), `urls` (canonical links), `dates`,
`markup` (HTML to plain text), `limits` (how big an article may be). Every reader yields `Article`s and `Skipped`
records: one bad article never stops the batch, and each problem is reported exactly once.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from bot.ingest.dates import Order, parse_date
from bot.ingest.limits import fit, within_limits
from bot.ingest.reports import Skipped
from bot.ingest.text import decode, parse_text_article, split_paragraphs

if TYPE_CHECKING:
    from bot.ingest.files import article_files, read_articles, read_file
    from bot.ingest.records import FIELDS, article_from_record

# The readers of files and records (mail, Markdown, news XML, archives, exports, CSV: 0.03-0.05 s of CPU to load)
# load when first named: a command that reads no file (`ask`, `stats`, a bot's start on its library) never does.
_READERS = {
    "article_files": "files",
    "read_articles": "files",
    "read_file": "files",
    "FIELDS": "records",
    "article_from_record": "records",
}


def __getattr__(name: str) -> object:
    if module := _READERS.get(name):
        return getattr(importlib.import_module(f"bot.ingest.{module}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "FIELDS",
    "Order",
    "Skipped",
    "article_files",
    "article_from_record",
    "decode",
    "fit",
    "parse_date",
    "parse_text_article",
    "read_articles",
    "read_file",
    "split_paragraphs",
    "within_limits",
]
