"""The `newsbot` command line: a thin layer over `bot.library` and `bot.app`.

Every failure a user or operator can cause ends in one line on stderr and a non-zero exit code, never a
traceback (EXIT_CODES, shown by `newsbot --help`).
"""

from __future__ import annotations

import argparse
import asyncio
import difflib
import json
import logging
import math
import os
import re
import shlex
import signal
import sys
import threading
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple, NoReturn, TypeVar, get_args
from urllib.parse import urlsplit

from bot import __version__, early_stop
from bot.config import (
    DEFAULT_ANSWER_SIZE,
    DEFAULT_LATEST_COUNT,
    ENGINES,
    MAX_ANSWER_SIZE,
    MAX_LATEST_COUNT,
    Settings,
    default_data_dir,
)
from bot.errors import (
    ConfigError,
    IndexCorruptError,
    NewsbotError,
    NotFeedYetError,
    QuestionError,
    Stopped,
    StoreError,
    UnreachableError,
    UsageError,
)
from bot.ingest import Order, Skipped, parse_date
from bot.ingest.urls import is_web_url, typed_address
from bot.library import IngestReport, Library, Semantics, open_store, shipped_articles
from bot.models import Answer, Command, Holder
from bot.named_days import days_named
from bot.render.answers import answer_json, render_answer
from bot.render.digests import day_start
from bot.render.headlines import article_json, category_lines, latest_lines
from bot.render.markup import (
    PLAIN,
    TERMINAL,
    Style,
    byline,
    category_data,
    category_label,
    count,
    title_of,
)
from bot.render.stats import render_stats, stats_json
from bot.render.welcome import (
    COMMAND_LINE,
    COMMAND_LINE_HELP,
    THE_BOT,
    clock_reply,
    greeting,
    holdings,
    live_hint,
    refused,
    talk_of,
    talk_reply,
    without_opening,
)
from bot.services.latest import asked_latest, category_named, newest_of_day
from bot.services.schedule import zone
from bot.services.setting_requests import CategoriesAsked, CategoryMisnamed, setting_command, setting_request
from bot.services.welcome import example_of, example_questions
from bot.store import StoreStats
from bot.store.engine import give_up_waits, waiting_for_lock
from bot.wording import capital, spoken_list

if TYPE_CHECKING:
    from bot.services.feeds import FeedPoll, FeedService

log = logging.getLogger(__name__)
T = TypeVar("T")

EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_ERROR = 3
EXIT_INTERRUPTED = 130
EXIT_BROKEN_PIPE = 141
EXIT_CODES = f"""exit codes:
  0    done
  {EXIT_FAILED}    nothing to show or do: no answer, nothing readable to ingest, an article or feed not found
  {EXIT_USAGE}    bad arguments or settings (a user, password or database the database server refuses, a --data-dir
       holding no library for ask, chat, latest, stats or remove)
  {EXIT_ERROR}    the database or the index failed (unreachable, locked too long, full disk), or Telegram's Bot API did
       not answer at start: worth retrying
  {EXIT_INTERRUPTED}  interrupted (Ctrl-C or SIGTERM; an ingest first stores the articles it has read, and the same
       command again goes on; `run` stops cleanly with 0, and a second one stops it at once with 130)
  {EXIT_BROKEN_PIPE}  the output was closed (newsbot stats | head -1)"""
# What `newsbot chat --help` adds, before the chat itself can say it: how to press a button and reply to an answer.
CHAT_KEYS = (
    "Type a question, or a command such as /help; a button's number (or its label: more) presses it, `> question`"
    " follows up on the last answer as a reply does in Telegram (`>2 question` on the one before it), and /quit or"
    " Ctrl-D leaves."
)
# What `newsbot run --help` adds: the settings that decide how the bot meets Telegram, and how it stops.
RUN_SETTINGS = (
    "It long-polls Telegram's Bot API (TELEGRAM_API_BASE_URL for a local Bot API server); with WEBHOOK_URL and"
    " WEBHOOK_SECRET set, Telegram posts updates to it on WEBHOOK_LISTEN:WEBHOOK_PORT instead (.env.example lists"
    " every setting). Ctrl-C or SIGTERM stops it cleanly (exit 0)."
)
# Said after an unknown --following, and named by `remove --help`: the ways a story is named.
ARTICLE_NAMES = 'an article\'s id (the "id" of `ask --json`), its URL, or the file it was read from'
FOLLOWING_TAKES = f"newsbot: --following takes {ARTICLE_NAMES}"
# An ingest names this many of the stories it found stored already, and of the problems it says alike of many
# records or files, then counts the rest.
DUPLICATES_LISTED = 3
# Past this many, `remove` counts the articles a file or folder named instead of listing their ids.
REMOVED_IDS_SHOWN = 10
DATE_FORMS = (
    "a date such as 2013-03-07, 7-03-2013, '7 March 2013', an ISO 8601 time, '3 days ago', 'last week', 'this week',"
    " monday, 'last friday', june, 2024, today or yesterday"
)
POLLED_ELSEWHERE = "no feed polled: another process is polling them now"
EMPTY_LIBRARY = "note: the library has no articles yet; add some with: newsbot ingest FILE_OR_URL"
# The commands that only find articles already stored: given a --data-dir holding no library, they make none. `chat`
# made one, seeded with the shipped example, and a mistyped --data-dir chatted about it as if it were the reader's.
FINDING = ("ask", "chat", "latest", "stats", "remove")
# How a refusal names the command (after "newsbot: "): "latest shows one category at a time".
LATEST = "latest"
ASK_CATEGORY = "ask --category"
# Paragraphs given vectors per minute on two idle cores, by NEWSBOT_SEMANTIC mode (bench/semantic_speed.py), for the
# wait an ingest announces (`encoding_minutes`): the static vectors are made about 35x faster than the encoder's.
EMBEDDED_PER_MINUTE = {"on": 3_000, "static": 100_000}


class Dated(NamedTuple):
    """A `--since` or `--until` as typed, read once the reader's clock is known (`at`): argparse checks it first."""

    raw: str
    end: bool

    def at(self, zoned: tzinfo, now: datetime) -> datetime:
        """The first (or with `end` the last) moment `raw` names on `zoned`'s clock at `now`: a day or span in a
        reader's words, read as a question's are (`days_named`, the reader's today), or a date as articles' are, a
        day alone being the reader's too ("--since today" was UTC's today, a question's today the reader's: 14 hours
        apart for a reader in Kiribati); a time without a zone is UTC's, as articles' are."""
        if days := days_named(self.raw, now.astimezone(zoned).date()):
            return self._of(days[self.end], zoned)
        value = parse_date(self.raw)
        if ":" in self.raw or value.time() != time():
            return value
        return self._of(value.date(), zoned)

    def _of(self, day: date, zoned: tzinfo) -> datetime:
        """The first (with `end`, the last) moment of `day` on `zoned`'s clock (a day begun at 01:00 too)."""
        return (
            day_start(day + timedelta(days=1), zoned) - timedelta(microseconds=1) if self.end else day_start(day, zoned)
        )


def _date(raw: str) -> Dated:
    return _dated(raw, end=False)


def _until(raw: str) -> Dated:
    # "--until 2013-03-07" means up to the end of that day, not its first second ("--until June": of its last day).
    return _dated(raw, end=True)


def _dated(raw: str, end: bool) -> Dated:
    """`raw` to be read on the reader's clock (`Dated.at`), once argparse has checked it names a day or a time."""
    try:
        Dated(raw, end).at(UTC, datetime.now(UTC))
    except NewsbotError as exc:
        # The forms the help names, once: "--since 31-31-2026" was told "neither day 31 of month 31 nor day 31 of
        # month 31 exists", and "--since tomorrow" of some forms, then of the others.
        raise argparse.ArgumentTypeError(f"{raw!r} is no date; give {DATE_FORMS}") from exc
    return Dated(raw, end)


def _field(raw: str) -> tuple[str, str]:
    from bot.ingest.records import FIELDS  # see `bot.ingest`: loaded when a file is read

    ours, _, theirs = raw.partition("=")
    if ours not in FIELDS or not theirs:
        raise argparse.ArgumentTypeError(f"expected OURS=THEIRS with OURS one of {', '.join(FIELDS)}, got {raw!r}")
    return ours, theirs


def _site(raw: str) -> str:
    # A site typed without its scheme (paper.example.org), as browsers show it, is https.
    site = raw if "://" in raw else f"https://{raw}"
    if not is_web_url(site) or (parts := urlsplit(site)).username is not None or parts.query or parts.fragment:
        raise argparse.ArgumentTypeError(f"expected a site's address, e.g. https://paper.example.org, got {raw!r}")
    return site


def _source(raw: str) -> str:
    # `ingest htp://example.org/story` was "skipped htp:/example.org/story: no such file or directory", the address
    # mangled as a path; a scheme fetched from nowhere is a mistake in the command, as a date that cannot be.
    if not is_web_url(raw) and re.match(r"[A-Za-z][A-Za-z0-9+.-]*://", raw) and not Path(raw).exists():
        raise argparse.ArgumentTypeError(f"{raw!r} is no file, and pages are read from http:// and https:// addresses")
    return raw


def _whole(raw: str) -> int:
    try:
        return int(raw)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {raw!r}") from exc


def _passages(raw: str) -> int:
    value = _whole(raw)
    if not 1 <= value <= MAX_ANSWER_SIZE:
        raise argparse.ArgumentTypeError(f"must be between 1 and {MAX_ANSWER_SIZE}, got {value}")
    return value


def _command(commands: argparse._SubParsersAction[_Parser], name: str, summary: str, details: str = "") -> _Parser:
    """A subcommand whose own --help starts with the line the main help shows for it, then `details`."""
    description = f"{capital(summary)}." + (f" {details}" if details else "")
    return commands.add_parser(name, help=summary, description=description)


class _Parser(argparse.ArgumentParser):
    """A parser that names the choice meant when the one typed is none, for commands, `feeds` actions and options
    alike: argparse listed all twelve commands for `newsbot asks`, and for a question typed without `ask`
    (`newsbot "who won?"`), and only "invalid choice" for `newsbot feeds ad`."""

    # A command's parser: the main parser's options, which go before the command (`build_parser` sets them).
    main_options: frozenset[str] = frozenset()

    def error(self, message: str) -> NoReturn:
        if (typed := _NO_CHOICE.match(message)) and (action := self._named(typed[1])):
            message = _no_choice(action, typed[2])
        elif (missing := _NO_ACTION.fullmatch(message)) and (action := self._named(missing[1])):
            # `newsbot feeds` alone was told only that "ACTION" is required.
            message = f"say which {missing[1].lower()}: {spoken_list(list(action.choices or ()), 'or')}"
        super().error(message)

    def parse_known_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> tuple[argparse.Namespace, list[str]]:
        """Refuse what is no argument of this command here, with this command's usage and the option meant: the
        main parser refused `newsbot ask --kategory sport who won?` with its own usage (COMMAND ...), as if the
        command were wrong, and no word of `--category`."""
        parsed, unknown = super().parse_known_args(args, namespace)
        if unknown:
            if unknown[0].partition("=")[0] in self.main_options:
                # `newsbot ingest notes/ -v`: the main parser's own option, typed after the command.
                command = self.prog.partition(" ")[2]
                self.error(f"{' '.join(unknown)} goes before the command: newsbot {' '.join(unknown)} {command} ...")
            options = [option for action in self._actions for option in action.option_strings]
            typed = next((word for word in unknown if word.startswith("-")), "")
            near = difflib.get_close_matches(typed.partition("=")[0], options, 1) if typed else []
            if near:
                self.error(f"there is no option {typed!r}: did you mean {near[0]}?")
            self.error(f"unrecognized arguments: {' '.join(unknown)}")
        return parsed, unknown

    def _named(self, name: str) -> argparse.Action | None:
        """The argument with choices that argparse's errors call `name`."""
        return next((a for a in self._actions if a.choices and name in (a.metavar, "/".join(a.option_strings))), None)


# How argparse (3.11 to 3.13) refuses a word that is none of an argument's choices, and a missing command.
_NO_CHOICE = re.compile(r"argument (\S+): invalid choice: '(.*)' \(choose from", re.S)
_NO_ACTION = re.compile(r"the following arguments are required: (COMMAND|ACTION)")


def _no_choice(action: argparse.Action, typed: str) -> str:
    choices = list(action.choices or ())
    near = difflib.get_close_matches(typed.strip().casefold(), choices, 1)
    if action.option_strings:
        return f"{action.option_strings[-1]} takes {spoken_list(choices, 'or')}, not {typed!r}" + (
            f": did you mean {near[0]}?" if near else ""
        )
    noun = str(action.metavar).lower()
    if near:
        return f"there is no {noun} {typed!r}: did you mean {near[0]}?"
    if action.metavar == "COMMAND" and (len(typed.split()) > 1 or typed.rstrip().endswith("?")):
        return f"{typed!r} is no command; to ask it: {_asking(typed)}"
    return f"there is no {noun} {typed!r}; the {noun}s are {', '.join(choices)}"


def _asking(question: str) -> str:
    """`newsbot ask` with `question` as a shell reads it: in double quotes unless it holds what they would expand
    (`$`, a backquote, a backslash, `"`, `!`), then as `shlex` quotes it. Shown bare, an example with an apostrophe
    ("O'Sullivan ...") left the shell waiting for its closing quote."""
    plain = not any(mark in question for mark in '"$`\\!')
    return f'newsbot ask "{question}"' if plain else f"newsbot ask {shlex.quote(question)}"


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="newsbot",
        description="Answer questions about news articles.",
        epilog=EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"newsbot {__version__}")
    # Where a newcomer's first command made its files was said nowhere on the command line.
    parser.add_argument(
        "--data-dir",
        type=Path,
        help=f"where the store and index live (NEWSBOT_DATA_DIR, else {default_data_dir()})",
    )
    parser.add_argument("--engine", choices=ENGINES, help="search engine (NEWSBOT_ENGINE)")
    parser.add_argument("-v", "--verbose", action="store_true", help="log what happens")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND", parser_class=_Parser)

    ingest = _command(commands, "ingest", "read articles from files, directories or web pages (URLs)")
    ingest.add_argument(
        "sources",
        nargs="+",
        type=_source,
        metavar="PATH_OR_URL",
        help="a file (.txt, .md, .html, .json, .jsonl, .csv, a feed), a directory of them, or an http(s) page",
    )
    ingest.add_argument(
        "--field",
        action="append",
        type=_field,
        default=[],
        metavar="OURS=THEIRS",
        help="name of a field in JSON/CSV records, e.g. --field body=text (repeatable)",
    )
    ingest.add_argument(
        "--site",
        type=_site,
        metavar="URL",
        help="the site's address, for exports that do not name it (Ghost, Substack, links given as /paths):"
        " each story's link is made on it, e.g. --site https://harbournotes.substack.com",
    )
    ingest.add_argument(
        "--date-order",
        choices=get_args(Order),
        help="read dates in numbers (03/04/2026) day or month first, whatever a file's other dates show (by"
        " default they decide, and day first when none can)",
    )

    ask = _command(
        commands,
        "ask",
        "answer a question from the articles",
        'What is no question is answered as a chat answers it: "what\'s new?" or "sport news" lists the newest'
        ' headlines (as `newsbot latest`), "what happened yesterday?" or "what happened on 14 November 2023?" that'
        " day's newest (on NEWSBOT_DEFAULT_TIMEZONE's clock), \"hi\" says what the library holds; with --json,"
        " --following or a date everything is searched.",
    )
    ask.add_argument(
        "question", nargs="+", help="the question, in plain words (quotes are optional); - reads it from standard input"
    )
    ask.add_argument(
        "--k",
        type=_passages,
        default=None,
        help=f"passages to show (1 to {MAX_ANSWER_SIZE}; default NEWSBOT_ANSWER_SIZE, {DEFAULT_ANSWER_SIZE})",
    )
    ask.add_argument("--category", help="only articles of this category (any case, or the start of its name)")
    ask.add_argument("--since", type=_date, metavar="DATE", help=f"only articles published on or after {DATE_FORMS}")
    ask.add_argument(
        "--until", type=_until, metavar="DATE", help="only articles published on or before this date (a day: all of it)"
    )
    ask.add_argument(
        "--following",
        action="append",
        metavar="ID_OR_URL",
        help="a follow-up (who bought it?) to this article's story, by its id, URL or file (repeatable), as a reply"
        " in chat",
    )
    ask.add_argument("--json", action="store_true", help="print the answer as JSON")

    latest = _command(
        commands,
        "latest",
        "the newest headlines, of one category and as many as asked",
        "The words are read as Telegram's /latest reads them: `newsbot latest`, `newsbot latest sport 20`,"
        " `newsbot latest 5 spo`.",
    )
    latest.add_argument(
        "words",
        nargs="*",
        metavar="CATEGORY_OR_COUNT",
        help="a category (any case, or the start of its name) and how many headlines, in any order",
    )
    latest.add_argument("--category", help="only this category's headlines (as a word above)")
    latest.add_argument(
        "-n",
        "--count",
        type=_whole,
        help=f"how many headlines (default {DEFAULT_LATEST_COUNT}, at most {MAX_LATEST_COUNT})",
    )
    latest.add_argument("--json", action="store_true", help="print the headlines as JSON, as `ask --json` its stories")

    remove = _command(commands, "remove", "remove articles from the store and index, by id, URL or file")
    remove.add_argument(
        "articles",
        nargs="+",
        metavar="ID_URL_OR_FILE",
        help=f"{ARTICLE_NAMES} (the source an answer shows): a file's every record",
    )

    feeds = _command(commands, "feeds", "the RSS/Atom feeds newsbot follows: add, list, remove, poll")
    feed_actions = feeds.add_subparsers(dest="feeds_action", required=True, metavar="ACTION")
    feed_add = _command(feed_actions, "add", "follow a feed and read it now (its stories so far are not alerted)")
    feed_add.add_argument("url", help="the feed's http(s) address (RSS, Atom or JSON Feed)")
    feed_add.add_argument("--category", help="every story's category (default: the entry's own tag, else News)")
    feed_add.add_argument(
        "--anyway",
        action="store_true",
        help="follow it even if its host does not exist yet or it is not a feed yet (a feed added before it goes live)",
    )
    _command(feed_actions, "list", "each feed's stories, last poll, status and next poll")
    feed_remove = _command(feed_actions, "remove", "stop following a feed (its stories stay)")
    feed_remove.add_argument("url", metavar="URL_OR_NUMBER", help="the feed's address, or its number in `feeds list`")
    feed_poll = _command(feed_actions, "poll", "poll every feed now, one line per feed")
    feed_poll.add_argument("--due", action="store_true", help="only the feeds whose time has come, as the bot does")

    stats = _command(commands, "stats", "what the library holds")
    stats.add_argument("--json", action="store_true", help="print the numbers as JSON, unrounded")
    _command(commands, "reindex", "rebuild the search index from the store (answers continue meanwhile)")
    _command(commands, "vectors", "make the paragraph vectors still missing (a running bot makes them too)")
    _command(commands, "migrate", "bring the store's tables up to this version (opening does it too)")
    _command(commands, "init", "create the store and index, and read the shipped articles")
    _command(commands, "run", "run the Telegram bot (needs TELEGRAM_BOT_TOKEN)", RUN_SETTINGS)
    _command(commands, "chat", "talk to the bot in this terminal, no token needed", CHAT_KEYS)
    main_options = frozenset(option for action in parser._actions for option in action.option_strings)
    for command in commands.choices.values():
        command.main_options = main_options - {"-h", "--help"}
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; returns the exit code."""
    parser = build_parser()
    if not (sys.argv[1:] if argv is None else argv):
        # A bare `newsbot` is someone finding their way: the commands, not "a COMMAND is required".
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    if not args.verbose and args.command not in ("run", "chat"):
        _say_each_problem_once()
    try:
        settings = Settings.from_env().with_overrides(data_dir=args.data_dir, engine=args.engine)
        if args.data_dir is not None and args.command in FINDING and not _holds_library(settings):
            # A mistyped --data-dir made a new library there, seeded with the shipped example, and answered from it.
            print(
                f"newsbot: no articles in {args.data_dir}: it holds no library; make one there with:"
                f" newsbot --data-dir {args.data_dir} ingest FILE_OR_URL",
                file=sys.stderr,
            )
            return EXIT_USAGE
        named = settings.sqlite_path if settings.database_url else None
        if named is not None and args.command in FINDING and not named.exists():
            # So did a file name mistyped in DATABASE_URL (the directory is checked as the setting is read).
            print(
                f"newsbot: no store at {named}, the file DATABASE_URL names: correct it, or make the store there with:"
                " newsbot ingest FILE_OR_URL",
                file=sys.stderr,
            )
            return EXIT_USAGE
        if args.command in ("run", "chat"):
            from bot.app import chat, run  # the Telegram layer loads only for the commands that need it

            if args.command == "run":
                return run(settings, EXIT_INTERRUPTED)  # a SIGTERM heard while loading stops it as it starts
            signal.signal(signal.SIGTERM, signal.SIG_DFL)  # a chat ends at SIGTERM at once, as it always did
            if early_stop.heard():
                raise KeyboardInterrupt
            return chat(settings)
        with _handling(_interrupt, signal.SIGTERM):
            if early_stop.heard():
                raise KeyboardInterrupt
            if args.command == "migrate":
                return _migrate(settings)
            # An ingest ends with one line saying an index it could not write (a full disk), not a warning first.
            library = Library.open(
                settings,
                say_index_failures=args.command not in ("ingest", "init"),
                semantic=_semantics(args),
                # For the locks it takes to say what it does: a bot makes the vectors as it runs, an ingest a few.
                command=Command(args.command),
            )
            try:
                return _dispatch(args, library)
            finally:
                library.close()
    except NewsbotError as exc:
        print(f"newsbot: {exc}", file=sys.stderr)
        if isinstance(exc, ConfigError):
            return EXIT_USAGE
        return EXIT_ERROR if isinstance(exc, (StoreError, IndexCorruptError, UnreachableError)) else EXIT_FAILED
    except KeyboardInterrupt:
        print("newsbot: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # The reader went away (`| head`): nothing more to say, and Python must not complain at exit either.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_BROKEN_PIPE


def _semantics(args: argparse.Namespace) -> Semantics:
    """What of the semantic stage a command needs: headlines, removals and a feed's listing need no encoder, nor do
    counts of vectors; loading it and its word pieces was a third of `latest`'s start and of `stats`'s."""
    if args.command == "stats":
        return "counted"
    listing = args.command == "feeds" and args.feeds_action in ("list", "remove")
    return "none" if listing or args.command in ("latest", "remove") else "whole"


def _holds_library(settings: Settings) -> bool:
    """Whether the store is there to open: a database server's or a file named, else the data directory's file (a
    data directory that is a file is refused as such when opened)."""
    return bool(settings.database_url) or settings.database_path.exists() or settings.data_dir.is_file()


def _say_each_problem_once() -> None:
    """A one-off command says each problem once, in its own words: not as trafilatura's remark on a page with no
    story ("discarding data: None"), which the command names as skipped with its reason, nor as psycopg's on a
    write cut short by PostgreSQL stopping ("error ignored terminating <psycopg.Pipeline [BAD]>: the connection is
    lost"), whose error the command says (nor, `feeds`, as a log line repeating what it prints)."""
    for talkative in ("trafilatura", "psycopg"):
        logging.getLogger(talkative).setLevel(logging.ERROR)


def _leave_out(said: Callable[[logging.LogRecord], bool]) -> None:
    """Leave out of the log the lines `said` (False: the command says it itself)."""
    for handler in logging.getLogger().handlers:
        handler.addFilter(said)


@contextmanager
def _interruptible(
    once: str = "the articles read are stored", then: Callable[[], object] | None = None
) -> Iterator[Callable[[], bool]]:
    """Ctrl-C or SIGTERM (a service manager stopping it) asks a running command to stop `once` its work in hand is
    kept (an ingest: what it has read is stored), so it can say what it kept; `then` is called to tell the work. A
    second one stops at once."""
    requested: list[bool] = []

    def on_interrupt(signum: int, frame: object) -> None:
        # Waiting for another process's lock, the work has nothing in hand to keep, and the wait may last minutes.
        if requested or waiting_for_lock():
            give_up_waits()
            raise KeyboardInterrupt
        requested.append(True)
        print(f"\nnewsbot: stopping once {once} (Ctrl-C again to stop now)", file=sys.stderr)
        if then is not None:
            then()

    with _handling(on_interrupt, signal.SIGINT, signal.SIGTERM) as handled:
        yield (lambda: bool(requested)) if handled else (lambda: False)


@contextmanager
def _handling(handler: Callable[[int, object], None], *signals: signal.Signals) -> Iterator[bool]:
    """`handler` for `signals` meanwhile; False when they cannot be handled here (not the main thread)."""
    try:
        previous = {number: signal.signal(number, handler) for number in signals}
    except ValueError:
        yield False
        return
    try:
        yield True
    finally:
        for number, before in previous.items():
            signal.signal(number, before)


def _interrupt(signum: int, frame: object) -> None:
    # SIGTERM ends a command as Ctrl-C does: the store and index are closed, and it says so in one line.
    raise KeyboardInterrupt


def _migrate(settings: Settings) -> int:
    store = open_store(settings)
    try:
        print(f"the store is up to date ({settings.store_name})")
    finally:
        store.close()
    return 0


def _waiting(holder: Holder | None) -> None:
    """Say that this command waits for the process holding the index's writer, named as it recorded itself."""
    # "(an ingest?)" was a guess, wrong beside a running bot or `newsbot chat`.
    print(f"newsbot: waiting for another process{_said_holder(holder)} to finish writing the index...", file=sys.stderr)


def _waiting_for_build() -> None:
    """Say that this reindex waits for another process's build of the index, which it then takes."""
    print(
        "newsbot: another process is rebuilding this data directory's index; waiting for it, to take what it builds...",
        file=sys.stderr,
    )


def _dispatch(args: argparse.Namespace, library: Library) -> int:
    if args.command == "ingest":
        with _interruptible() as stop:
            return _ingest(args, library, stop)
    if args.command == "init":
        with _interruptible() as stop:
            report = library.add(shipped_articles(library.settings), stop=stop, on_wait=_waiting)
        if stop():
            # Ctrl-C said "newsbot is ready ...; the shipped articles are in it (24)" of a corpus of thousands, exit 0.
            print(f"shipped articles: {report.summary()}")
            return _stopped(report)
        # A new store got the shipped articles as it was created: "0 added, 1 unchanged" read as if nothing was.
        shipped = (
            f"the shipped articles are in it ({report.read})"
            if report.unchanged == report.read and not report.problems
            else f"shipped articles: {report.summary()}"
        )
        print(f"newsbot is ready in {library.settings.store_name}; {shipped}")
        return _said_index_failure(report)
    if args.command == "feeds":
        # The feed service loads the network edge and the feed and page readers (httpx, feedparser, trafilatura,
        # lxml: about 0.3 s of a start), which only this command needs.
        from bot.services.feeds import REPORTED, FeedService

        if not args.verbose:
            # Its log repeats as a line what the command prints (a failed poll's summary).
            _leave_out(lambda record: not getattr(record, REPORTED, False))
        return asyncio.run(_feeds(args, FeedService(library)))
    if args.command == "stats":
        stats = library.stats()
        print(_json_text(stats_json(stats)) if args.json else render_stats(stats))
        return 0
    if args.command == "reindex":
        print(f"reindexed {library.reindex(_waiting_for_build):,} paragraphs")
        return 0
    if args.command == "vectors":
        return _vectors(library)
    if args.command == "remove":
        return _remove(args, library)
    if args.command == "latest":
        count_words = [] if args.count is None else [str(args.count)]
        return _latest(library, [*args.words, *([args.category] if args.category else []), *count_words], args.json)
    return _ask(args, library)


def _json_text(data: object) -> str:
    """`--json`'s output: indented, its letters and quote marks as written (not "\\u201c")."""
    return json.dumps(data, ensure_ascii=False, indent=2)


def _style() -> Style:
    return TERMINAL if sys.stdout.isatty() else PLAIN


def _latest(library: Library, words: Sequence[str], as_json: bool = False, asked: str = "") -> int:
    """Print the newest headlines `words` ask for, read as Telegram's /latest reads them (`as_json`: as data); for a
    day the words `asked` name, that day's newest on the settings' clock (`newest_of_day`), as a chat lists them."""
    settings = library.settings
    zoned = zone(settings.default_timezone)
    try:
        latest, note = newest_of_day(library.store, words, asked, datetime.now(UTC), zoned, LATEST)
    except UsageError as exc:
        print(f"newsbot: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if as_json:
        # An empty list is an answer too: a script needs no note to tell it there is nothing.
        headlines = [article_json(article, settings.bot_username) for article in latest.articles]
        # "capped": more were asked than the most shown at once (`latest 100` gets 30), as the heading says it.
        shown = {"category": category_data(latest.category or ""), "capped": latest.capped, "headlines": headlines}
        print(_json_text(shown))
        return 0 if latest.articles else EXIT_FAILED
    if not latest.articles:
        if note:  # "I have no story dated ... or earlier" is the answer
            print(note)
        else:
            print(EMPTY_LIBRARY, file=sys.stderr)
        return EXIT_FAILED
    heading, *lines = latest_lines(
        latest.articles, latest.category, settings.bot_username, latest.capped, zoned, _style()
    )
    print(*([note, ""] if note else []), heading, "", *lines, sep="\n")
    return 0


def _small_talk(library: Library, talk: str | None, question: str, category: str | None) -> int | None:
    """Answer what a question typed to `ask` is when it is no question (`talk`: see `small_talk`), or "sport news"
    naming a category, as a chat answers it; returns the exit code, or None for a question to search."""
    if talk == "latest":
        return _latest(library, [category] if category else [], asked=question)
    if talk is None:
        words = asked_latest(library.store, question)  # "news about Yukos" is a question
        return None if words is None else _latest(library, words, asked=question)
    if talk == "greeting":
        stats = library.store.stats()
        print(
            "\n\n".join(
                greeting(
                    stats, [_asking(q) for q in example_questions(library.store)], front=COMMAND_LINE, style=_style()
                )
            )
        )
        if not stats.articles:
            print(EMPTY_LIBRARY, file=sys.stderr)  # "I have none yet" said nothing of how to add some
    elif talk == "help":
        print(COMMAND_LINE_HELP)
    elif talk == "clock":
        print(clock_reply(datetime.now(UTC), zone(library.settings.default_timezone), COMMAND_LINE))
    else:
        print(talk_reply(talk, COMMAND_LINE))
    return 0


def _setting_asked(library: Library, question: str) -> int | None:
    """Answer what a message typed to `ask` asks of the Telegram bot's settings (`setting_request`), as a chat
    answers it: the categories listed as /categories lists them, any other request ("send me the digest at 8am",
    "stop following sport") with the bot command that makes it (the line on every command said "/subscribe sport tech"
    to "remove sport"); returns the exit code, or None for a message asking none."""
    request = setting_request(without_opening(question), library.store.category_names)
    if request is None:
        return None
    if isinstance(request, CategoriesAsked) and request.counted:  # "how many articles do you have?", as the bot says
        print(holdings(library.store.stats(), _style()))
    elif isinstance(request, CategoriesAsked):  # "what categories are there?"
        print("\n".join(category_lines(library.store.categories(), _style())))
    elif isinstance(request, CategoryMisnamed):  # "subscribe me to sprot": did you mean Sport?
        print(request.problem)
    else:
        print(f"In {THE_BOT}, {setting_command(request, _style())}")
    return 0


def _vectors(library: Library) -> int:
    from tqdm import tqdm

    if library.vectors is None:
        print("newsbot: the semantic stage is off (NEWSBOT_SEMANTIC) or its model is missing", file=sys.stderr)
        return EXIT_FAILED
    if not library.vectors.try_write():
        print(
            f"newsbot: another process{_held_by(library)} is making the vectors of this data directory; run"
            " this again once it ends, if any are left",
            file=sys.stderr,
        )
        return EXIT_FAILED
    kept: list[int] = []

    def step(paragraphs: int) -> None:
        # Each step is heard once it is committed: that much stays, and the next run goes on from there.
        kept.append(paragraphs)
        bar.update(paragraphs)

    # Ctrl-C gave up the step running (up to 100 articles, a minute of encoding on a busy machine): the articles
    # embedded whole by then are kept, as a bot stopping keeps them, within a chunk of the encoder's work.
    with (
        tqdm(total=library.vectors.backlog(), unit=" paragraphs", disable=None, file=sys.stderr) as bar,
        _interruptible("the articles embedded whole are kept", library.stop),
    ):
        try:
            _heeding_signals(partial(library.embed, progress=step))
        except Stopped:
            vectors, paragraphs = library.vectors.vectors, library.store.stats().paragraphs
            print(
                f"\nnewsbot: stopped after embedding {count(vectors.embedded, 'paragraph')}, kept:"
                f" {vectors.count():,} of {paragraphs:,} have vectors; the same command again goes on from there",
                file=sys.stderr,
            )
            return EXIT_INTERRUPTED
        except KeyboardInterrupt:  # a second Ctrl-C: the step running is given up
            print(f"\n{sum(kept):,} paragraphs embedded and kept before the interruption", file=sys.stderr)
            raise
    # This process's, counted from its start: opening the library makes a backlog of a few hundred at once, and then
    # "0 paragraphs embedded" was said of them.
    print(f"{library.vectors.vectors.embedded:,} paragraphs embedded; {library.vectors.vectors.count():,} have vectors")
    return 0


def _heeding_signals(work: Callable[[], T]) -> T:
    """`work()`, run in a thread while this one waits for it. Python runs a signal's handler in the main thread
    between two of its steps, which the encoder's run of a batch held up: `newsbot vectors` heard Ctrl-C or SIGTERM
    only after its batch, 2 to 3 s at a load of 8, where a bot (its vectors made in a thread) stopped in 0.4 to
    0.8 s. A daemon: a second Ctrl-C ends the process at once, whatever the thread does."""
    done: list[T] = []
    failed: list[BaseException] = []

    def run() -> None:
        try:
            done.append(work())
        except BaseException as exc:  # given to the waiting thread, whatever it is
            failed.append(exc)

    thread = threading.Thread(target=run, name="work", daemon=True)
    thread.start()
    thread.join()  # a lock's wait, which a signal's handler interrupts on POSIX
    if failed:
        raise failed[0]
    return done[0]


def _remove(args: argparse.Namespace, library: Library) -> int:
    # Beside an ingest, the removal waits for its next batch to be indexed: silent, it seemed to hang.
    outcome = library.remove(args.articles, _waiting)
    for reference, removed in outcome.items():
        if not removed:
            print(f"newsbot: {_not_found(reference)}", file=sys.stderr)
        elif removed == [reference.lower()]:
            print(f"removed {removed[0]}")
        elif len(removed) > REMOVED_IDS_SHOWN:
            print(f"removed {reference} ({len(removed):,} articles)")
        else:
            print(f"removed {reference} ({'article' if len(removed) == 1 else 'articles'} {', '.join(removed)})")
    return 0 if all(outcome.values()) else EXIT_FAILED


def _not_found(reference: str) -> str:
    """Why `reference` names no article here: a folder or file that is there was not read into this store ("no
    article folder/ in the store" read as if a folder could be one). Quoted as other messages quote what was typed:
    "no article no such story in the store" read as a sentence."""
    if not reference.strip():
        # `remove ""` (a variable left empty) was "nothing in the store was read from ", the empty path being ".".
        return f"an empty name names no article: give {ARTICLE_NAMES}"
    if is_web_url(reference) or not Path(reference).expanduser().exists():
        return f"no article {reference!r} in the store"
    return f"nothing in the store was read from {reference!r}"


def _note_vectors(library: Library) -> None:
    """Say when paragraphs are left without vectors: too many to make during the command, or any while another
    process (a running bot, `newsbot chat`) holds the right to make them, which it does in the background."""
    if library.vectors is None or library.semantic is None or not (waiting := library.vectors.backlog()):
        return
    one = waiting == 1
    left = f"{count(waiting, 'paragraph')} {'waits for its' if one else 'wait for their'} vectors"
    if not library.vectors.try_write():
        if _is_making(library.vectors.holder()):
            # Told "else run `newsbot vectors` once the other ingest is done" beside a running bot, an operator
            # looked for an ingest there was none of.
            print(
                f"note: {left}, which another process{_held_by(library)} is making in the background; until then"
                f" {'it is' if one else 'they are'} found by words.",
                file=sys.stderr,
            )
            return
        # "Run `newsbot vectors`" would only be refused now; but when that process is another ingest (two run at
        # once), it makes only a few before it ends, and "another process is making them" left thousands waiting.
        print(
            f"note: {left}, which another process{_held_by(library)} holds the right to make: a running bot"
            " or `newsbot chat` makes"
            f" {'it' if one else 'them'}, else run `newsbot vectors` once the other ingest is done; until then"
            f" {'it is' if one else 'they are'} found by words.",
            file=sys.stderr,
        )
        return
    cores = os.cpu_count() or 1
    estimate = encoding_minutes(waiting, EMBEDDED_PER_MINUTE[library.semantic.mode], cores, os.getloadavg()[0])
    print(
        f"note: {left} ({estimate}); until then they are found by their words. A running bot makes them in the"
        " background, or run `newsbot vectors`.",
        file=sys.stderr,
    )


def encoding_minutes(paragraphs: int, idle_rate: int, cores: int, load: float) -> str:
    """About how long `paragraphs` take to encode at `idle_rate` a minute on idle cores, when `load` (the last
    minute's average of processes ready to run) shares `cores` with the encoder: "about 3 min of encoding", with the
    load named when it slows it. The idle rate alone was 6 to 25 times too quick at loads of 12 to 50 on two cores
    (ops74: a bot made 500 a minute at 11-13, about 120 at 37-50, where 3,000 were reckoned), as the encoder's share
    of the cores shrank with the load."""
    share = min(1.0, cores / load) if load > 0 else 1.0
    minutes = max(1, math.ceil(paragraphs / (idle_rate * share)))
    slowed = f" on {cores} cores at a load of {load:.0f}" if share < 1 else ""
    return f"about {minutes:,} min of encoding{slowed}"


def _held_by(library: Library) -> str:
    """The process holding the right to make the vectors, as it recorded itself: " (pid 4242: newsbot run)"; ""
    when it did not."""
    return _said_holder(library.vectors.holder()) if library.vectors else ""


def _is_making(holder: Holder | None) -> bool:
    """Whether the process holding the right to make the vectors, as it recorded itself, makes them as it runs: a
    bot or `newsbot chat`, where an ingest holding it makes only a few before it ends."""
    # Read from its command line, `newsbot --data-dir /srv/news run` was taken for no bot.
    return holder is not None and holder.command.bot


def _said_holder(holder: Holder | None) -> str:
    """A process holding a lock, as it recorded itself, to follow "another process": " (pid 4242: newsbot run)"."""
    return f" ({holder})" if holder else ""


def _said_index_failure(report: IngestReport) -> int:
    """Say in one line that the articles stored could not be indexed (a full disk); returns the exit code, 0 if
    they were."""
    if not report.index_failure:
        return 0
    print(
        f"newsbot: {report.index_failure}; the articles are stored, and are found once there is room for the"
        " index (the next newsbot command adds them to it)",
        file=sys.stderr,
    )
    return EXIT_ERROR


def _stopped(report: IngestReport) -> int:
    """Say that an ingest was stopped, and what to do; returns the exit code."""
    if report.interrupted:
        # "The rest was not read" left an operator to guess whether to start again from scratch.
        said = "; the same command again goes on (what is stored now is found unchanged)"
        print(f"newsbot: stopped after reading {count(report.read, 'article')}{said}", file=sys.stderr)
    else:
        # Stopped once every article was read (while they were stored or indexed): it exited 0, as if not stopped.
        print(f"newsbot: stopped after reading every article ({report.read:,}); all are stored", file=sys.stderr)
    return EXIT_INTERRUPTED


def _said_problems(problems: Sequence[Skipped], every: bool) -> list[str]:
    """The lines an ingest says of its problems: each one, but of its duplicates, and of the problems of one kind
    said of many records or files in the same words, the first few and how many more (`every`, with -v: each of
    them)."""
    # The BBC's archive holds 23 stories twice under other names: a screen of "duplicate" lines buried the rest.
    # A CMS export of 5,000 records under a field name not known printed 5,000 lines of one reason.
    lines = []
    # Of each kind and reason; the duplicates, whatever their reasons, under None.
    alike: Counter[tuple[str, str] | None] = Counter()
    for problem in problems:
        key = None if problem.duplicate else (problem.kind, problem.reason)
        alike[key] += 1
        if every or alike[key] <= DUPLICATES_LISTED:
            lines.append(str(problem))
    if every:
        return lines
    for key, times in sorted(alike.items(), key=lambda item: item[0] is None):  # the duplicates last
        if (more := times - DUPLICATES_LISTED) <= 0:
            continue
        if key is None:
            lines.append(
                f"duplicate: {count(more, 'more story', 'more stories')} stored already under another link or name;"
                " not stored again (-v lists each)"
            )
        else:
            lines.append(f"{key[0]}: {more:,} more for the same reason, {key[1]} (-v lists each)")
    return lines


def _ingest(args: argparse.Namespace, library: Library, stop: Callable[[], bool]) -> int:
    from tqdm import tqdm

    with tqdm(unit=" articles", disable=None, file=sys.stderr) as bar:
        report = library.ingest(
            args.sources,
            dict(args.field),
            progress=bar.update,
            stop=stop,
            on_wait=_waiting,
            site=args.site,
            date_order=args.date_order,
        )
    for line in _said_problems(report.problems, every=args.verbose):
        print(line, file=sys.stderr)
    # A path that is not there is a mistake in the command, as in `cat`: the others go in, and it fails.
    missing = [s for s in args.sources if not is_web_url(s) and not Path(s).exists()]
    for source in missing:
        # "www.example.org/story: no such file or directory" said nothing of how to read the page it names, and
        # "127.0.0.1:8756/story" (a test server's) had no note at all.
        if (link := typed_address(source)) and not Path(Path(source).parts[0]).exists():
            print(
                f"note: to read the page {source} names, add http:// or https:// before it: newsbot ingest {link}",
                file=sys.stderr,
            )
    print(report.summary())
    if not report.interrupted and (failed := _said_index_failure(report)):
        return failed  # the vectors wait for the disk too: their note would only bury this line
    if report.added or report.updated:
        # An ingest that stored nothing (a path mistyped) was told of "about 3 min of encoding" none of its own.
        _note_vectors(library)
    if stop():
        return _stopped(report)
    return 0 if report.read and not missing else EXIT_FAILED


async def _feeds(args: argparse.Namespace, service: FeedService) -> int:
    from bot.services.feeds import describe_feed

    now = datetime.now(UTC)
    if args.feeds_action == "add":
        try:
            poll = await service.add(args.url, args.category, added_by="cli", now=now, anyway=args.anyway)
        except NotFeedYetError as exc:
            again = f"newsbot feeds add --anyway {shlex.quote(args.url)}"
            raise UsageError(f"{exc}; to follow it all the same (a feed not live yet): {again}") from exc
        print(f"following {poll.feed.url}; first poll: {poll.summary()}")
        _print_problems(poll, print)
        return 0
    if args.feeds_action == "remove":
        feed = await service.remove(args.url)
        print(f"no longer following {feed.url} (its stories stay in the library)")
        return 0
    if args.feeds_action == "list":
        listed = await service.feeds()
        for feed in listed:
            print(describe_feed(feed, now, f"newsbot feeds add {shlex.quote(feed.url)}"))
        if not listed:
            print("no feeds are followed; add one with: newsbot feeds add URL")
        return 0
    return await _poll(service, now, every=not args.due)


def _print_problems(poll: FeedPoll, write: Callable[..., object]) -> None:
    """Name the entries and pages a poll could not read (its summary only counts them), on standard error."""
    for problem in poll.problems:
        write(f"  {problem}", file=sys.stderr)


async def _poll(service: FeedService, now: datetime, every: bool) -> int:
    from tqdm import tqdm

    from bot.services.feeds import describe_paused

    total = await service.due(now, every)
    # Never polled until added again: said on every poll, where they went unmentioned (or "another process is
    # polling them", when every feed was paused).
    paused = await service.paused()
    said = [describe_paused(feed, f"newsbot feeds add {shlex.quote(feed.url)}") for feed in paused]
    if not total:
        if not every:
            print("no feed is due")
        elif len(await service.feeds()) > len(paused):
            print(POLLED_ELSEWHERE, file=sys.stderr)
        elif not paused:
            print("no feeds are followed; add one with: newsbot feeds add URL")
        for line in said:
            print(line)
        return 0
    with tqdm(total=total, unit=" feeds", disable=None, file=sys.stderr) as bar:

        def show(poll: FeedPoll) -> None:
            bar.write(f"{poll.feed.url}: {poll.summary()}", file=sys.stdout)
            _print_problems(poll, bar.write)
            bar.update(1)

        report = await service.poll(now, every=every, on_poll=show)
    for notice in report.notices:
        print(f"note: {notice.text(datetime.now(UTC))}", file=sys.stderr)
    polls = report.polls
    for line in said:
        print(line)
    if not polls:
        print(POLLED_ELSEWHERE, file=sys.stderr)
        return 0
    print(report.tally(len(paused)))
    return EXIT_FAILED if report.failed else 0


def _ask(args: argparse.Namespace, library: Library) -> int:
    # `echo "who won?" | newsbot ask -`, as other tools read "-": it was searched for the word "-".
    question = " ".join(sys.stdin.read().split() if args.question == ["-"] else args.question)
    try:
        category = category_named(library.store, args.category, ASK_CATEGORY) if args.category else None
    except UsageError as exc:
        print(f"newsbot: {exc}", file=sys.stderr)
        return EXIT_USAGE
    zoned = zone(library.settings.default_timezone)
    now = datetime.now(UTC)
    since, until = (typed.at(zoned, now) if typed else None for typed in (args.since, args.until))
    if not (args.json or args.following or since or until):
        # "What's new?", "thanks" or "who made you?" asks for no passage: searched, it found some story using "new".
        if (said := _setting_asked(library, question)) is not None:
            return said
        talk, question = talk_of(question)
        if (said := _small_talk(library, talk, question, category)) is not None:
            return said
    if since and until and since > until:
        print(f"newsbot: --since {since:%Y-%m-%d} is after --until {until:%Y-%m-%d}", file=sys.stderr)
        return EXIT_USAGE
    if args.following and (unknown := [r for r, ids in library.ids_of(args.following).items() if not ids]):
        # Asked without the story it follows, "when was that?" could only be misread.
        for reference in unknown:
            print(f"newsbot: {_not_found(reference)}", file=sys.stderr)
        print(FOLLOWING_TAKES, file=sys.stderr)
        return EXIT_FAILED
    outside = ""
    if since or until:
        stats = library.store.stats()
        if stats.undated:
            print(
                f"note: undated articles ({stats.undated:,} of {stats.articles:,}) are left out when searching by date",
                file=sys.stderr,
            )
        if outside := _dated_outside(stats, since, until):
            print(f"note: {outside}", file=sys.stderr)

    def asked() -> tuple[str, Answer]:
        searched = library.follow_up(question, args.following) if args.following else question
        request = library.request(searched, k=args.k, category=category, since=_utc(since), until=_utc(until))
        return searched, library.ask(request)

    try:
        question, answer = asked()
    except QuestionError as exc:
        # As data, a declined answer as any other: it was one line of another shape, "\u201c" for each quote mark.
        declined = Answer(question, (), reason=refused(exc, example_of(library.store)))
        print(_json_text(answer_json(declined)) if args.json else declined.reason)
        return EXIT_FAILED
    empty = not answer.found and not library.store.stats().articles
    # "(The search was limited by category or date.)" left a reader to guess whether dropping them would help;
    # dates past every article's are said why already.
    limited = not answer.found and not empty and (category or (not outside and (since or until)))
    elsewhere = _answered_without(library, question, category, since, until) if limited else ""
    if args.json:
        print(_json_text(answer_json(answer, library.settings.bot_username)))
    else:
        if elsewhere or outside:
            # A note says what the limits kept out: the decline's "(The search was limited ...)" said it twice.
            answer = replace(answer, limited=False)
        shown = render_answer(answer, _style(), library.settings.bot_username, True, zone=zoned)
        print(shown)
    if empty:
        # "No article uses the word ..." is true of every word then, and says nothing of what to do.
        print(EMPTY_LIBRARY, file=sys.stderr)
    elif elsewhere:
        print(f"note: {elsewhere}", file=sys.stderr)
    elif not (answer.found and answer.confident) and (lacked := live_hint(question)):
        print(f"note: {lacked}", file=sys.stderr)  # a forecast or a price now: no news, as the bot says
    return 0 if answer.found else EXIT_FAILED


def _utc(moment: datetime | None) -> datetime | None:
    """`moment` on UTC's clock, as the indexes compare times (a reader's day stays the reader's in what is said)."""
    return moment and moment.astimezone(UTC)


def _answered_without(
    library: Library, question: str, category: str | None, since: datetime | None, until: datetime | None
) -> str:
    """The story that answers `question` once the category and dates asked are dropped ("nothing in Business answers
    that; without the category: Bekele sets sights on world mark (undated · Sport)"); empty when none does."""
    answer = library.ask(library.request(question, k=1))
    if not (answer.found and answer.confident):
        return ""
    within = [f"in {category_label(category)}"] if category else []
    if since and until:
        within.append(f"dated {since:%-d %b %Y} to {until:%-d %b %Y}")
    elif since or until:
        within.append(f"dated on or {'after' if since else 'before'} {(since or until):%-d %b %Y}")
    dropped = [name for name, asked in (("the category", category), ("the dates", since or until)) if asked]
    article = answer.passages[0].article
    zoned = zone(library.settings.default_timezone)
    return (
        f"nothing {' '.join(within)} answers that; without {spoken_list(dropped, 'and')}:"
        f" {title_of(article)} ({byline(article, zoned)})"
    )


def _dated_outside(stats: StoreStats, since: datetime | None, until: datetime | None) -> str:
    """Why no dated article can answer within the dates asked (a year mistyped: --since 2027-01-01), naming the
    newest or oldest date there is, on the clock the dates were read on (the reader's: UTC's named a day earlier
    for a reader east of it); empty when some article may."""
    if since and stats.last_published and since > stats.last_published:
        newest = stats.last_published.astimezone(since.tzinfo)
        return f"no article is dated on or after {since:%-d %b %Y}; the newest is dated {newest:%-d %b %Y}"
    if until and stats.first_published and until < stats.first_published:
        oldest = stats.first_published.astimezone(until.tzinfo)
        return f"no article is dated on or before {until:%-d %b %Y}; the oldest is dated {oldest:%-d %b %Y}"
    return ""
