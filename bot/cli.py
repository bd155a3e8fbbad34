"""The `newsbot` command line: a thin layer over `bot.library` and `bot.app`.

Every failure a user or operator can cause ends in one line on stderr and a non-zero exit code, never a
traceback: bad settings or arguments (2), a question nothing answers or nothing readable to ingest (1), a
database or index error (1), Ctrl-C (130), a closed pipe such as `newsbot stats | head -1` (141).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import signal
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, time
from pathlib import Path

from bot import __version__
from bot.config import ENGINES, MAX_ANSWER_SIZE, Settings
from bot.errors import ConfigError, NewsbotError, QuestionError
from bot.ingest import FIELDS, parse_date
from bot.ingest.urls import is_web_url
from bot.library import Library, shipped_articles
from bot.render.answers import answer_json, render_answer
from bot.render.markup import PLAIN, TERMINAL
from bot.render.stats import render_stats
from bot.services.feeds import FeedPoll, FeedService, describe_feed
from bot.services.schedule import zone
from bot.store import Store
from bot.store.feeds import FAILED

log = logging.getLogger(__name__)

EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130
EXIT_BROKEN_PIPE = 141
POLLED_ELSEWHERE = "no feed polled: another process is polling them now"


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


def _passages(raw: str) -> int:
    try:
        value = int(raw)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {raw!r}") from exc
    if not 1 <= value <= MAX_ANSWER_SIZE:
        raise argparse.ArgumentTypeError(f"must be between 1 and {MAX_ANSWER_SIZE}, got {value}")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="newsbot", description="Answer questions about news articles.")
    parser.add_argument("--version", action="version", version=f"newsbot {__version__}")
    parser.add_argument("--data-dir", type=Path, help="where the store and index live (NEWSBOT_DATA_DIR)")
    parser.add_argument("--engine", choices=ENGINES, help="search engine (NEWSBOT_ENGINE)")
    parser.add_argument("-v", "--verbose", action="store_true", help="log what happens")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    ingest = commands.add_parser("ingest", help="read articles from files, directories or web pages (URLs)")
    ingest.add_argument("sources", nargs="+", metavar="PATH_OR_URL")
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
    ask.add_argument("--k", type=_passages, default=None, help=f"passages to show (1 to {MAX_ANSWER_SIZE}, default 3)")
    ask.add_argument("--category", help="only articles of this category")
    ask.add_argument("--since", type=_date, help="only articles published on or after this date")
    ask.add_argument("--until", type=_until, help="only articles published on or before this date")
    ask.add_argument("--json", action="store_true", help="print the answer as JSON")

    remove = commands.add_parser("remove", help="remove articles from the store and index, by id or URL")
    remove.add_argument(
        "articles", nargs="+", metavar="ID_OR_URL", help='an article\'s id (the "id" of `ask --json`) or its URL'
    )

    feeds = commands.add_parser("feeds", help="the RSS/Atom feeds newsbot follows: add, list, remove, poll")
    feed_actions = feeds.add_subparsers(dest="feeds_action", required=True, metavar="ACTION")
    feed_add = feed_actions.add_parser("add", help="follow a feed and read it now (its stories so far are not alerted)")
    feed_add.add_argument("url")
    feed_add.add_argument("--category", help="every story's category (default: the entry's own tag, else News)")
    feed_actions.add_parser("list", help="each feed's stories, last poll, status and next poll")
    feed_remove = feed_actions.add_parser("remove", help="stop following a feed (its stories stay)")
    feed_remove.add_argument("url", metavar="URL_OR_NUMBER")
    feed_poll = feed_actions.add_parser("poll", help="poll every feed now, one line per feed")
    feed_poll.add_argument("--due", action="store_true", help="only the feeds whose time has come, as the bot does")

    commands.add_parser("stats", help="what the library holds")
    commands.add_parser("reindex", help="rebuild the search index from the store (answers continue meanwhile)")
    commands.add_parser("vectors", help="make the paragraph vectors still missing (a running bot makes them too)")
    commands.add_parser("migrate", help="bring the store's tables up to this version (opening does it too)")
    commands.add_parser("init", help="create the store and index, and read the shipped articles")
    commands.add_parser("run", help="run the Telegram bot (needs TELEGRAM_BOT_TOKEN)")
    commands.add_parser("chat", help="talk to the bot in this terminal, no token needed")
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
    try:
        settings = Settings.from_env().with_overrides(data_dir=args.data_dir, engine=args.engine)
        if args.command in ("run", "chat"):
            from bot.app import chat, run  # the Telegram layer loads only for the commands that need it

            return run(settings) if args.command == "run" else chat(settings)
        if args.command == "migrate":
            return _migrate(settings)
        library = Library.open(settings)
        try:
            return _dispatch(args, library)
        finally:
            library.close()
    except NewsbotError as exc:
        print(f"newsbot: {exc}", file=sys.stderr)
        return EXIT_USAGE if isinstance(exc, ConfigError) else EXIT_FAILED
    except KeyboardInterrupt:
        print("newsbot: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # The reader went away (`| head`): nothing more to say, and Python must not complain at exit either.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_BROKEN_PIPE


@contextmanager
def _interruptible() -> Iterator[Callable[[], bool]]:
    """Ctrl-C asks a running ingest to stop after the batch it is writing; a second Ctrl-C stops at once."""
    requested: list[bool] = []

    def on_interrupt(signum: int, frame: object) -> None:
        if requested:
            raise KeyboardInterrupt
        requested.append(True)
        print("\nnewsbot: stopping after the current batch (Ctrl-C again to stop now)", file=sys.stderr)

    try:
        previous = signal.signal(signal.SIGINT, on_interrupt)
    except ValueError:  # not the main thread: Ctrl-C keeps its usual meaning
        yield lambda: False
        return
    try:
        yield lambda: bool(requested)
    finally:
        signal.signal(signal.SIGINT, previous)


def _migrate(settings: Settings) -> int:
    store = Store.open(settings.store_url, seed=lambda: shipped_articles(settings))
    try:
        print(f"the store is up to date ({settings.store_name})")
    finally:
        store.close()
    return 0


def _waiting() -> None:
    print("newsbot: waiting for another process (an ingest?) to finish writing the index...", file=sys.stderr)


def _dispatch(args: argparse.Namespace, library: Library) -> int:
    if args.command == "ingest":
        with _interruptible() as stop:
            return _ingest(args, library, stop)
    if args.command == "init":
        with _interruptible() as stop:
            report = library.add(shipped_articles(library.settings), stop=stop, on_wait=_waiting)
        print(f"newsbot is ready in {library.settings.store_name}; shipped articles: {report.summary()}")
        return 0
    if args.command == "feeds":
        return asyncio.run(_feeds(args, FeedService(library)))
    if args.command == "stats":
        print(render_stats(library.stats()))
        return 0
    if args.command == "reindex":
        print(f"reindexed {library.reindex():,} paragraphs")
        return 0
    if args.command == "vectors":
        return _vectors(library)
    if args.command == "remove":
        return _remove(args, library)
    return _ask(args, library)


def _vectors(library: Library) -> int:
    from tqdm import tqdm

    if library.vectors is None:
        print("newsbot: the semantic stage is off (NEWSBOT_SEMANTIC) or its model is missing", file=sys.stderr)
        return EXIT_FAILED
    if not library.vectors.try_write():
        print("newsbot: another process (a running bot?) is making the vectors of this data directory", file=sys.stderr)
        return EXIT_FAILED
    with tqdm(total=library.vectors.backlog(), unit=" paragraphs", disable=None, file=sys.stderr) as bar:
        embedded = library.embed(progress=bar.update)
    print(f"{embedded:,} paragraphs embedded; {library.vectors.vectors.count():,} have vectors")
    return 0


def _remove(args: argparse.Namespace, library: Library) -> int:
    outcome = library.remove(args.articles)
    for reference, removed in outcome.items():
        if removed is None:
            print(f"newsbot: no article {reference} in the store", file=sys.stderr)
        else:
            print(f"removed {reference}" if removed == reference else f"removed {reference} (article {removed})")
    return 0 if all(outcome.values()) else EXIT_FAILED


def _note_vectors(library: Library) -> None:
    """Say when paragraphs are left without vectors (too many to make during the command)."""
    waiting = library.vectors.backlog() if library.vectors is not None else 0
    if waiting:
        print(
            f"note: {waiting:,} paragraphs wait for their vectors (about {waiting // 3000 + 1} min of encoding); until"
            " then they are found by their words. A running bot makes them in the background, or run"
            " `newsbot vectors`.",
            file=sys.stderr,
        )


def _ingest(args: argparse.Namespace, library: Library, stop: Callable[[], bool]) -> int:
    from tqdm import tqdm

    with tqdm(unit=" articles", disable=None, file=sys.stderr) as bar:
        report = library.ingest(args.sources, dict(args.field), progress=bar.update, stop=stop, on_wait=_waiting)
    for problem in report.problems:
        print(problem, file=sys.stderr)
    print(report.summary())
    _note_vectors(library)
    if report.interrupted:
        return EXIT_INTERRUPTED
    # A path that is not there is a mistake in the command, as in `cat`: the others went in, and it fails.
    missing = [s for s in args.sources if not is_web_url(s) and not Path(s).exists()]
    return 0 if report.read and not missing else EXIT_FAILED


async def _feeds(args: argparse.Namespace, service: FeedService) -> int:
    now = datetime.now(UTC)
    if args.feeds_action == "add":
        poll = await service.add(args.url, args.category, added_by="cli", now=now)
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
            print(describe_feed(feed, now))
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

    total = await service.due(now, every)
    if not total:
        if not every:
            print("no feed is due")
        elif await service.feeds():
            print(POLLED_ELSEWHERE, file=sys.stderr)
        else:
            print("no feeds are followed; add one with: newsbot feeds add URL")
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
    if not polls:
        print(POLLED_ELSEWHERE, file=sys.stderr)
        return 0
    failed = sum(p.status == FAILED for p in polls)
    news, backlog = sum(p.added for p in polls), sum(p.backlog for p in polls)
    print(f"{len(polls)} feeds polled: {news} new stories, {backlog} back catalogue, {failed} failed")
    return EXIT_FAILED if polls and failed == len(polls) else 0


def _ask(args: argparse.Namespace, library: Library) -> int:
    question = " ".join(args.question)
    if args.category and not _known_category(library, args.category):
        names = ", ".join(name or "(no category)" for name, _ in library.store.categories()) or "none yet"
        print(f"newsbot: no category called {args.category!r}; the categories are: {names}", file=sys.stderr)
        return EXIT_USAGE
    if args.since and args.until and args.since > args.until:
        print(f"newsbot: --since {args.since:%Y-%m-%d} is after --until {args.until:%Y-%m-%d}", file=sys.stderr)
        return EXIT_USAGE
    if args.since or args.until:
        stats = library.store.stats()
        if stats.undated:
            print(
                f"note: undated articles ({stats.undated:,} of {stats.articles:,}) are left out when searching by date",
                file=sys.stderr,
            )
    try:
        request = library.request(question, k=args.k, category=args.category, since=args.since, until=args.until)
        answer = library.ask(request)
    except QuestionError as exc:
        if args.json:
            print(json.dumps({"question": question, "found": False, "reason": str(exc), "passages": []}))
        else:
            print(exc)
        return EXIT_FAILED
    if args.json:
        print(json.dumps(answer_json(answer, library.settings.bot_username), ensure_ascii=False, indent=2))
    else:
        style = TERMINAL if sys.stdout.isatty() else PLAIN
        shown = render_answer(
            answer, style, library.settings.bot_username, True, zone=zone(library.settings.default_timezone)
        )
        print(shown)
    return 0 if answer.found else EXIT_FAILED


def _known_category(library: Library, name: str) -> bool:
    return any(known.casefold() == name.casefold() for known, _ in library.store.categories())
