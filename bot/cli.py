"""The `newsbot` command line: a thin layer over `bot.library` and `bot.app`."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Sequence
from datetime import datetime, time
from pathlib import Path

from bot.config import ENGINES, Settings
from bot.errors import ConfigError, NewsbotError, QuestionError
from bot.ingest import FIELDS, parse_date
from bot.library import Library
from bot.render.answers import answer_json, render_answer
from bot.render.markup import PLAIN, TERMINAL
from bot.render.stats import render_stats

log = logging.getLogger(__name__)

EXIT_USAGE = 2


def _date(raw: str) -> datetime:
    try:
        return parse_date(raw)
    except NewsbotError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def _until(raw: str) -> datetime:
    # "--until 2013-03-07" means up to the end of that day, not its first second.
    value = _date(raw)
    return value.replace(hour=23, minute=59, second=59) if ":" not in raw and value.time() == time() else value


def _field(raw: str) -> tuple[str, str]:
    ours, _, theirs = raw.partition("=")
    if ours not in FIELDS or not theirs:
        raise argparse.ArgumentTypeError(f"expected OURS=THEIRS with OURS one of {', '.join(FIELDS)}, got {raw!r}")
    return ours, theirs


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="newsbot", description="Answer questions about news articles.")
    parser.add_argument("--data-dir", type=Path, help="where the store and index live (NEWSBOT_DATA_DIR)")
    parser.add_argument("--engine", choices=ENGINES, help="search engine (NEWSBOT_ENGINE)")
    parser.add_argument("-v", "--verbose", action="store_true", help="log what happens")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    ingest = commands.add_parser("ingest", help="read articles from files or directories")
    ingest.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    ingest.add_argument(
        "--field",
        action="append",
        type=_field,
        default=[],
        metavar="OURS=THEIRS",
        help="name of a field in JSON/CSV records, e.g. --field body=text (repeatable)",
    )

    ask = commands.add_parser("ask", help="answer a question from the articles")
    ask.add_argument("question", nargs="+")
    ask.add_argument("--k", type=int, default=None, help="passages to show (default 3)")
    ask.add_argument("--category", help="only articles of this category")
    ask.add_argument("--since", type=_date, help="only articles published on or after this date")
    ask.add_argument("--until", type=_until, help="only articles published on or before this date")
    ask.add_argument("--json", action="store_true", help="print the answer as JSON")

    commands.add_parser("stats", help="what the library holds")
    commands.add_parser("reindex", help="rebuild the search index from the store")
    commands.add_parser("run", help="run the Telegram bot (needs TELEGRAM_BOT_TOKEN)")
    commands.add_parser("chat", help="talk to the bot in this terminal, no token needed")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; returns the exit code."""
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    try:
        settings = Settings.from_env().with_overrides(data_dir=args.data_dir, engine=args.engine)
        if args.command in ("run", "chat"):
            from bot.app import chat, run  # the Telegram layer loads only for the commands that need it

            return run(settings) if args.command == "run" else chat(settings)
        library = Library.open(settings)
    except ConfigError as exc:
        print(f"newsbot: {exc}", file=sys.stderr)
        return EXIT_USAGE
    try:
        return _dispatch(args, library)
    finally:
        library.close()


def _dispatch(args: argparse.Namespace, library: Library) -> int:
    if args.command == "ingest":
        from tqdm import tqdm

        with tqdm(unit=" articles", disable=None, file=sys.stderr) as bar:
            report = library.ingest(args.paths, dict(args.field), progress=bar.update)
        for skipped in report.skipped:
            print(f"skipped {skipped.location}: {skipped.reason}", file=sys.stderr)
        print(report.summary())
        return 0
    if args.command == "stats":
        print(render_stats(library.stats()))
        return 0
    if args.command == "reindex":
        print(f"reindexed {library.reindex():,} paragraphs")
        return 0
    question = " ".join(args.question)
    try:
        answer = library.ask(
            library.request(question, k=args.k, category=args.category, since=args.since, until=args.until)
        )
    except QuestionError as exc:
        if args.json:
            print(json.dumps({"question": question, "found": False, "reason": str(exc), "passages": []}))
        else:
            print(exc)
        return 1
    if args.json:
        print(json.dumps(answer_json(answer, library.settings.bot_username), ensure_ascii=False, indent=2))
    else:
        style = TERMINAL if sys.stdout.isatty() else PLAIN
        print(render_answer(answer, style, library.settings.bot_username, local_path=True))
    return 0 if answer.found else 1
