"""The exceptions newsbot raises on purpose; anything else is a bug."""


class NewsbotError(Exception):
    """Base class: every error a user or operator can cause."""


class ConfigError(NewsbotError):
    """A setting is missing or malformed (raised by `bot.config`)."""


class ArticleError(NewsbotError):
    """An article could not be read: the message says why (raised by `bot.ingest`)."""


class QuestionError(NewsbotError):
    """A question that cannot be searched: empty, only punctuation, or only stopwords."""


class NoWordsError(QuestionError):
    """A question with nothing to search: empty, or no letter or digit (emoji, punctuation). The front end says it
    with an example question its library answers, which the search cannot know."""


class IndexCorruptError(NewsbotError):
    """The on-disk index cannot be opened or written; it is rebuilt from the store (`newsbot reindex`)."""


class IndexWriteError(IndexCorruptError):
    """A write to the index failed (a full disk) and nothing in it was found damaged: it is answered from as it is,
    and the next write tries again (replaying the store's change log is idempotent)."""


class IndexUnwritableError(IndexCorruptError):
    """The index's directory cannot be written (a read-only disk or directory): tantivy makes a lock file there even
    to read the index. Nothing is damaged, and building it again would fail alike: the message says what to do."""


class StoreError(NewsbotError):
    """The database failed or refused (locked too long, unreachable, full disk): the message says how."""


class UnreachableError(NewsbotError):
    """A server newsbot needs (Telegram's Bot API at start) did not answer: worth retrying, as a store out of
    reach is."""


class StoreUnreachableError(StoreError, UnreachableError):
    """The database server did not answer a connection (not running, not yet started, its host out of reach): the
    bot waits for it at its start; a one-off command fails."""


class StoreLoginError(StoreError, ConfigError):
    """The database server refused the login (a wrong password or user, a database that does not exist): a
    setting to correct, which no retry mends; while the bot runs, an outage like any other."""


class StoreURLError(StoreError, ConfigError):
    """The driver refused a value of DATABASE_URL before asking any server (`sslmode=sometimes`, a port past
    65535, an option it does not know): a setting to correct, as a refused login is."""


class Stopped(Exception):
    """Work given up between two batches because the process is stopping; what was made before is kept or not,
    as the caller says (not an error: nothing failed)."""


class UsageError(NewsbotError, ValueError):
    """An argument a reader typed cannot be understood; the message (plain text) says what is accepted."""


class NotFeedYetError(UsageError):
    """A feed's address refused at `feeds add` for what a site that is not live yet answers (a host name that does
    not exist, a 404, a page that is no feed): the caller says how to follow it all the same."""


def causes(error: BaseException) -> list[BaseException]:
    """`error`, then what it was raised from or, failing that, while handling (`__cause__`, else `__context__`, as
    Python's traceback follows them), each once: a Ctrl-C some cleanup's error was raised in the wake of
    (`bot.store.engine`), the Bot API's own refusal inside python-telegram-bot's error saying the token (`bot.app`)."""
    chain: list[BaseException] = []
    cause: BaseException | None = error
    while cause is not None and all(cause is not seen for seen in chain):
        chain.append(cause)
        cause = cause.__cause__ or cause.__context__
    return chain
