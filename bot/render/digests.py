"""Digests and alerts as Telegram HTML messages.

Each story: its headline linked (the article's URL, else the bot's deep link that opens it), its date as /latest
shows it ("received 1 Dec 2026" for an undated story from the web), and a one-line lede; stories grouped by
category under the category's name, after the shown ones "and N more" naming the button under the message that
sends them (`rest_label`; the tg layer draws it from `Digest.rests`). A digest with nothing new
says so in one line, or is not sent (None) when the chat chose silence.

Messages stay under Telegram's 4096 characters: text is capped before it is escaped (never cut inside an entity),
messages are measured as Telegram counts them (`split.fits`), and a long digest is split on story boundaries only
(never inside a tag); a category continued in the next message is named again there.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from bot.config import MAX_LATEST_COUNT
from bot.models import Digest, DigestSection, Headline
from bot.named_days import said_day
from bot.render.markup import (
    HTML,
    cap,
    category_label,
    count,
    no_stories_under,
    shown_date,
    source_link,
    title_of,
)
from bot.render.split import TELEGRAM_LIMIT, cut_html, fits, with_note

# Raw characters kept of a lede (one line), before escaping.
LEDE_CHARS = 160
# Raw characters kept of a category's name on the button that sends the rest of its stories.
REST_LABEL_CHARS = 40
# Scheduled digests and alerts are drawn once for every chat that gets the same stories, private or a group: their
# words fit both ("Your" spoke to one reader in a group of many).
DIGEST_HEADING = "Daily digest"
PREVIEW_HEADING = "Your digest so far"
ALERT_HEADING = "Just in"
# Under every alert: they come as stories arrive, up to one a minute on a busy day, and a reader wanting fewer was
# told nowhere how to stop them.
ALERT_STOP_HINT = "/alerts off stops these."
# An alert whose stories were held for the chat's pace (`NEWSBOT_ALERT_PACE_MINUTES`): said in its heading ("Just
# in: 3 stories since 14:02") and why, in place of the stop hint (a story came 10 minutes late, told nowhere why).
PACED_HEADING = "{heading}: {stories} since {since}"
PACED_HINT = "One alert every {pace} at most: /alerts off stops these."
# News is what arrived in the window, published at most two days before: an archive ingested today is not, so
# the reader is pointed at what is there. `span` is "today", "on Fri 27 Mar" for a digest at midnight (the day
# before it), or "since Thu 26 Mar" for a digest that covers more than a day (`since_when`).
NOTHING_NEW_IN = "Nothing new in the categories followed here {span}; /latest shows the newest headlines there are."
NOTHING_NEW = NOTHING_NEW_IN.format(span="today")
# The same for a chat that follows no category, whose digest covers them all.
NOTHING_NEW_AT_ALL_IN = "No new stories {span}; /latest shows the newest headlines there are."
NOTHING_NEW_AT_ALL = NOTHING_NEW_AT_ALL_IN.format(span="today")
# A window up to this long is "today": a day, and the hour a change of clocks adds.
ONE_DAY = timedelta(hours=25)
# Under a scheduled "nothing new": a reader who gets one each quiet day learns how to get none.
QUIET_HINT = "/digest quiet: no message on such days."
# Under a digest sent late (the bot was down at its time): one coming at 11:00 read as the day's news up to 11:00.
LATE_NOTE = "Sent late: this digest was due at {due}. What came in since then is in the next one."


def render_story(headline: Headline, bot_username: str = "", zone: tzinfo = UTC) -> str:
    """One story: linked headline and date, then its lede on one line. Dated as /latest and the rest pages of a
    digest date theirs ("Title (2 Oct 2026, 14:05)"): a digest's "Title · 2 Oct 2026" was one style of two for the
    same stories."""
    title = HTML.escape(title_of(headline.article)) or "(untitled)"
    link = source_link(headline.article, bot_username)
    date = HTML.escape(shown_date(headline.article, zone))
    lines = [f"• {HTML.link(link, title) if link else HTML.bold(title)} ({date})"]
    if lede := cap(headline.lede, LEDE_CHARS):
        lines.append(HTML.escape(lede))
    return "\n".join(lines)


def section_title(category: str, continued: bool = False) -> str:
    return HTML.bold(HTML.escape(category_label(category) or "Other")) + (" (continued)" if continued else "")


def more_line(section: DigestSection) -> str:
    """ "and 3 more: “Sport: 3 more” below", naming the button under the message that sends them (`rest_label`),
    "..., 30 at a time" past what /latest shows at once. The line named "/latest sport 8", but a tap on it sent
    "/latest" alone: Telegram links a command, not its words."""
    if not section.category:  # /latest cannot ask for uncategorised stories alone: no button
        return f"and {section.more} more"
    label = HTML.escape(rest_label(section.category, section.more))
    at_a_time = f", {MAX_LATEST_COUNT} at a time" if section.more > MAX_LATEST_COUNT else ""
    return f"and {section.more} more: “{label}” below{at_a_time}"


def rest_label(category: str, more: int) -> str:
    """The label of the button that sends a category's stories a digest or an alert counted and did not show."""
    return f"{cap(category_label(category), REST_LABEL_CHARS)}: {more} more"


def rest_heading(category: str, stories: int, sent: str) -> str:
    """The heading of the page a rest's button sends (plain text): "Sport: 3 more from the digest of Sat 28 Mar"
    (`sent`: `digest_sent`, `alert_sent`). It was /latest's "Latest in Sport (6 to 8)", which said neither what the
    stories were nor why the list began at 6."""
    return f"{category_label(category)}: {stories} more from {sent}"


def digest_sent(end: datetime, zone: tzinfo) -> str:
    """A digest named by the day of its window's last instant on the reader's clock ("the digest of Sat 28 Mar"; a
    digest at midnight holds the day before)."""
    return f"the digest of {(end - timedelta(microseconds=1)).astimezone(zone):%a %-d %b}"


def alert_sent(sent: datetime, zone: tzinfo) -> str:
    """An alert named by when it was sent on the reader's clock ("the alert of Sat 28 Mar, 14:05")."""
    return f"the alert of {sent.astimezone(zone):%a %-d %b, %H:%M}"


def _blocks(section: DigestSection, bot_username: str, zone: tzinfo) -> Iterator[str]:
    yield from (render_story(h, bot_username, zone) for h in section.headlines)
    if section.more:
        yield more_line(section)


def split(
    heading: str, digest: Digest, bot_username: str = "", limit: int = TELEGRAM_LIMIT, zone: tzinfo = UTC
) -> list[str]:
    """The heading, then each section's title and stories (dated in `zone`), in messages Telegram takes
    (`split.fits`), split between stories (a story too long for a message on its own, which the caps make all but
    impossible, is cut by `split.cut_html`, tags intact)."""
    messages: list[str] = []
    current = heading
    for section in digest.sections:
        first = True
        for block in _blocks(section, bot_username, zone):
            addition = f"\n\n{section_title(section.category)}\n{block}" if first else f"\n{block}"
            if fits(current + addition, limit):
                current += addition
            else:
                messages.append(current)
                pieces = cut_html(f"{section_title(section.category, continued=not first)}\n{block}", limit)
                messages += pieces[:-1]
                current = pieces[-1]
            first = False
    messages.append(current)
    return messages


def lists_stories(text: str) -> bool:
    """Whether a message of the bot's (its text, as Telegram gives it back) is a digest or an alert, or the preview
    of one, whose headlines link the stories a reply to it asks about (the first of a digest split in several)."""
    heading = text.split("\n", 1)[0]
    return heading.startswith((DIGEST_HEADING, ALERT_HEADING)) or heading.partition(":")[0].endswith("digest so far")


def preview_heading(group: str) -> str:
    """The heading of /digest's preview: "This group's digest so far" ("This channel's") in a group or channel,
    whose digest it is."""
    return f"This {group}'s digest so far" if group else PREVIEW_HEADING


def render_digest(
    digest: Digest, bot_username: str = "", heading: str = DIGEST_HEADING, quiet: bool = False, zone: tzinfo = UTC
) -> list[str] | None:
    """A digest as messages, dated in `zone` (the reader's); an empty one is one "nothing new" line, or None
    (nothing to send) when `quiet`."""
    since = since_when(digest, zone)
    if digest.empty:
        if quiet:
            return None
        hint = f"\n{QUIET_HINT}" if heading == DIGEST_HEADING else ""
        nothing = (NOTHING_NEW_IN if digest.categories else NOTHING_NEW_AT_ALL_IN).format(span=since or "today")
        messages = [f"{HTML.bold(HTML.escape(heading))}\n{nothing}{hint}"]
    else:
        told = " ".join(part for part in (count(digest.stories, "new story", "new stories"), since) if part)
        messages = split(f"{HTML.bold(HTML.escape(heading))}: {told}", digest, bot_username, zone=zone)
    return with_note(messages, no_stories_under(digest.gone)) if digest.gone else messages


def late_note(due: datetime, zone: tzinfo) -> str:
    """What a digest sent late says of its time (`due` on the reader's clock)."""
    return LATE_NOTE.format(due=f"{due.astimezone(zone):%H:%M}")


def since_when(digest: Digest, zone: tzinfo) -> str:
    """ "since Thu 26 Mar" for a digest that covers more than a day (the chat missed one: the bot was down, or the
    chat blocked or restricted it), so the reader knows why it reaches back; "on Fri 27 Mar" for one that covers
    that day alone on the reader's clock (a digest at midnight: "Nothing new today" there spoke of the day just
    begun); "" for another day's digest. The window's ends are instants (in UTC when naive): a start at 00:00 UTC
    is no date without a time (`markup.in_zone`), and in New York it is the evening before."""
    start, end = (
        instant.replace(tzinfo=instant.tzinfo or UTC).astimezone(zone) for instant in (digest.start, digest.end)
    )
    if digest.end - digest.start > ONE_DAY:
        return f"since {start:%a %-d %b}"
    if start.date() == end.date() - timedelta(days=1) and end == day_start(end.date(), zone):
        return f"on {start:%a %-d %b}"
    return ""


def day_start(day: date, zone: tzinfo) -> datetime:
    """The first instant of a day on the clocks of `zone`: 01:00 where the clocks skip from midnight to 1 (Santiago's
    first Sunday of September), else midnight."""
    return datetime.combine(day, time(0), zone).astimezone(UTC).astimezone(zone)


def render_alert(digest: Digest, bot_username: str = "", zone: tzinfo = UTC) -> list[str] | None:
    """New stories as one alert, dated in `zone` (split only if it is very long); None when there is none left to
    tell."""
    if digest.empty:
        return None
    heading, hint = HTML.bold(HTML.escape(ALERT_HEADING)), ALERT_STOP_HINT
    if digest.paced is not None:
        since = held_since(digest, zone)
        heading = PACED_HEADING.format(heading=heading, stories=count(digest.stories, "story", "stories"), since=since)
        hint = PACED_HINT.format(pace=count(digest.paced // timedelta(minutes=1), "minute", "minutes"))
    return with_note(split(heading, digest, bot_username, zone=zone), hint)


def held_since(digest: Digest, zone: tzinfo) -> str:
    """When a held alert's first story came, on the reader's clock: "12:11", or with its day when that is not the
    day the alert ends on (sent then: `FanOut.texts`), "yesterday 23:40", "Sat 23:40"."""
    start, end = (
        instant.replace(tzinfo=instant.tzinfo or UTC).astimezone(zone) for instant in (digest.start, digest.end)
    )
    return " ".join(part for part in (said_day(start.date(), end.date()), f"{start:%H:%M}") if part)
