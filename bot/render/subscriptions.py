"""What /subscribe, /unsubscribe, /mysubs, /time, /timezone, /digest and /alerts say, as Telegram HTML.

Each reply after a change confirms it in one line and then says what it means for the chat (its categories, when
its next digest comes); /mysubs shows everything. Category names come from whatever was ingested, so they are
capped and escaped like any label. The chat's clock is passed in as `Clock` (the zone's offset now and the next
digest on the chat's own wall clock), so nothing here computes a time.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time
from typing import TYPE_CHECKING

from bot.render.markup import HTML, Style, cap, category_label, no_stories_under, spoken_categories
from bot.wording import alphabetical, capital, spoken_list

if TYPE_CHECKING:
    from bot.services.setting_requests import TimeWondered
    from bot.services.subscriptions import ChatView

# Button labels: Telegram shows about this many characters of a button in a row of two.
BUTTON_LABEL_CHARS = 30
TICK = "✅"
UNTICKED = "▫️"
# What a reader typed is echoed this far in a refusal.
SHOWN_CHOICE_CHARS = 30

# Usage lines name the chat's settings as "{its}", worded by `for_chat`: in a group they are the group's, and an
# admin read "/time 8am London sets your time zone too" as their own.
SUBSCRIBE_USAGE = "Usage: /subscribe sport tech (category names, or all), or /subscribe alone for buttons."
UNSUBSCRIBE_USAGE = "Usage: /unsubscribe sport (category names, or all), or /subscribe alone for buttons."
DIGEST_USAGE = (
    "Usage: /digest shows {its} digest so far; /digest on or /digest off turns the daily digest on or off; "
    "/digest quiet sends nothing on a day without news, /digest notice says so in one line; "
    "/time 07:30 sets its time."
)
TIME_USAGE = (
    "Usage: /time 07:30 sets the time of {its} daily digest (also 7:30, 7am, 19:05, noon); "
    "/time 8am London sets {its} time zone too."
)
ZONE_USAGE = "Usage: /timezone Europe/Berlin, /timezone Berlin or /timezone +03:00 sets {its} time zone."
ALERTS_USAGE = "Usage: /alerts on or /alerts off: a message as soon as a story arrives in {its} categories."
# The answer to a press of the "Turn alerts off" under an alert (the digest is another setting, left as it is).
ALERTS_TURNED_OFF = "Alerts are off now: /alerts on turns them on again."
# A member's change refused, or the admins unknown, in a group ("{}": "group" or "channel", `admins_only`).
_ADMINS_ONLY = "Only this {}'s admins can change its subscriptions and settings. /mysubs shows them."
_ADMINS_UNKNOWN = "I could not check this {}'s admins just now, so nothing was changed. Please try again."
ADMINS_ONLY = _ADMINS_ONLY.format("group")
NO_CATEGORIES = (
    "There are no categories yet: once articles arrive, /subscribe lists them; /subscribe all follows them as they "
    "appear."
)
STALE_BUTTON = "This button is out of date. Send /subscribe for the current list."
TOPIC_MOVED = "Digests and alerts will come to this topic."
# Told once, in General, when the topic digests and alerts went to is deleted or closed (they come to General).
TOPIC_GONE = (
    "The topic digests and alerts came to is deleted or closed: they come here now. Change a setting in another "
    "topic (/digest on there) to have them there."
)
CHANGE_HINT = (
    "Change them with /subscribe, /unsubscribe, /time, /timezone, /digest on|off|quiet|notice, /alerts on|off."
)


@dataclass(frozen=True)
class Clock:
    """A chat's clock: its zone's offset from UTC now ("UTC+02:00"), its next digest in its own time, and the time
    there now (None: not known)."""

    offset: str
    next_local: datetime | None
    now_local: datetime | None = None
    # The clock in the other half of the year when it changes ("GMT, BST (UTC+01:00) in summer"; plain text).
    seasons: str = ""


# How like a choice a word typed is to be named as the one meant ("of" of "off": 0.8; "of" of "on": 0.5).
NEAR_CHOICE = 0.75


def not_a_choice(typed: str, choices: Sequence[str]) -> str:
    """ "“maybe” is not on or off." (escaped): what was typed after a command that takes one of a few words, with
    the choice meant when one is near: "/alerts of" and "/digest quite" were told only what the choices are, where
    a reader expects the slip named ("“of” is not on or off: did you mean off?")."""
    said = f"“{HTML.escape(cap(typed, SHOWN_CHOICE_CHARS))}” is not {spoken_list(choices, 'or')}"
    near = difflib.get_close_matches(typed.strip().casefold(), choices, n=1, cutoff=NEAR_CHOICE)
    return f"{said}: did you mean {near[0]}?" if near else f"{said}."


def toggle_label(name: str, followed: bool) -> str:
    """A category's button: ticked when the chat follows it (plain text, Telegram does not parse buttons)."""
    return f"{TICK if followed else UNTICKED} {cap(category_label(name), BUTTON_LABEL_CHARS)}"


def follows(group: str, adverb: str = "") -> str:
    """ "you follow" or, in a group, "the group follows" (with "already" between if asked): an admin's "/alerts on"
    in a group was answered "in your categories", which read as the admin's own."""
    who, verb = (f"the {group}", "follows") if group else ("you", "follow")
    return " ".join(word for word in (who, adverb, verb) if word)


def following(view: ChatView, group: str) -> str:
    if view.every_category:
        return "Categories: every category, new ones too (/unsubscribe one to pick them yourself)."
    if view.all_categories and not (view.settings.digest or view.settings.alerts):  # "all" of nothing that comes
        return "Categories: none chosen."
    if view.all_categories:
        its = "its" if group else "your"
        return f"Categories: all ({follows(group)} none in particular, so {its} {_every(view)} every category)."
    return f"Categories: {spoken_categories(alphabetical(view.categories))}."


def _every(view: ChatView) -> str:
    """ "digest has", "alerts have" or "digest and alerts have": what brings every category to a chat following
    none."""
    if not view.settings.alerts:
        return "digest has"
    return "digest and alerts have" if view.settings.digest else "alerts have"


def while_none(view: ChatView, group: str) -> str:
    """What following no category means for the digest and alerts that are on, and how to stop them: "Unsubscribed
    from Business and Sport. Categories: all" read as a contradiction."""
    digest, alerts = view.settings.digest, view.settings.alerts
    if digest and alerts:
        what = "the daily digest and alerts have every category: /digest off and /alerts off stop them"
    elif digest:
        what = "the daily digest has every category: /digest off stops it"
    else:
        what = "alerts come for every category: /alerts off stops them"
    return f"While {follows(group)} none, {what}."


def schedule(view: ChatView, clock: Clock) -> str:
    """When the daily digest comes, or that it is off."""
    settings = view.settings
    if not settings.digest:
        return "Daily digest: off (/digest on to get one)."
    zone = HTML.escape(settings.zone)
    where = zone if clock.offset == settings.zone else f"{zone}, {clock.offset} now"
    line = f"Daily digest: every day at {settings.daily:%H:%M} ({where})"
    due, now = clock.next_local, clock.now_local
    if due is not None and now is not None and due <= now and due.date() == now.date():
        # Moved to a zone where this day's time has passed, and the day had none: it goes now (`next_after_move`).
        line += f"; today's, due at {due:%H:%M}, comes within a minute"
    elif due is not None:
        line += f"; the next on {due:%a %-d %b} at {due:%H:%M}"
        if due.time() != settings.daily:  # "every day at 02:30; the next at 03:00" needs its reason
            line += f", as the clocks skip {settings.daily:%H:%M} that day"
        elif (earlier := done_today(clock, view)) is not None:
            line += f", as today's was due at {earlier:%H:%M} (one a day)"
        elif passed_today(clock, view):
            line += f", as {settings.daily:%H:%M} has passed today"
    return line + "."


def passed_today(clock: Clock, view: ChatView) -> bool:
    """Whether the next digest is tomorrow's, none having come today, because its time has passed today: a reader
    who set /time 09:00 at 09:05 (or turned the digest on, or moved zone, then) read "the next on Sun" unsaid why,
    and waited for one that morning."""
    now, due, earlier = clock.now_local, clock.next_local, view.settings.previous_due
    if now is None or due is None or due.date() <= now.date() or view.settings.daily > now.time():
        return False
    return earlier is None or earlier.astimezone(now.tzinfo).date() != now.date()


def done_today(clock: Clock, view: ChatView) -> datetime | None:
    """When today's digest was due, on the chat's clock, if that is why the next is tomorrow's though its time is
    still to come today: a chat gets one a day (a reader who moved /time from 07:30 to 20:00 after the 07:30 one
    read "the next on Sun" unsaid why); None otherwise."""
    now, due, earlier = clock.now_local, clock.next_local, view.settings.previous_due
    if now is None or due is None or earlier is None:
        return None
    earlier = earlier.astimezone(now.tzinfo)
    today = earlier.date() == now.date() < due.date()
    return earlier if today and view.settings.daily > now.time() else None


def offset_now(zone: str, clock: Clock) -> str:
    """ " (UTC+09:00 now)" after a zone's name; nothing after an offset ("UTC+03:00", "UTC"), which is its own."""
    return "" if clock.offset == zone else f" ({clock.offset} now)"


def _private_chat(link: str | None) -> str:
    """ "a private chat with me", opened by `link` if it is known."""
    chat = "a private chat with me"
    return HTML.link(link, chat) if link else chat


def digest_off_to_member(group: str, private_chat: str | None) -> str:
    """A group's daily digest being off, as a member who may change nothing reads it: "/digest on to get one" sent
    them to a command only its admins may use. Who turns it on, and where the member has a digest of their own
    (`private_chat`: the link that opens a private chat with the bot, if it is known)."""
    return (
        f"Daily digest: off. Only this {group}'s admins can turn it on, so ask one of them. For a digest of your own,"
        f" open {_private_chat(private_chat)} and turn it on there."
    )


def member_refused(private_chat: str | None) -> str:
    """A group's member's change refused, and where their own settings are theirs to change (`private_chat`: the link
    that opens a private chat with the bot, if it is known): "/timezone Berlin" got the refusal alone, where "I live
    in Berlin" said that a private chat sets the member's own."""
    own = f"Your own subscriptions and digest are yours to set in {_private_chat(private_chat)}."
    return f"{HTML.escape(ADMINS_ONLY)} {own}"


def clock_lines(view: ChatView, clock: Clock) -> str:
    """When the daily digest comes and, while it is off, the time zone stories' times are shown in (the schedule's
    line names it otherwise): with the digest off, /mysubs and /timezone alone never said the zone."""
    line = schedule(view, clock)
    if view.settings.digest:
        return line
    return f"{line}\nTime zone: {HTML.escape(view.settings.zone)}{offset_now(view.settings.zone, clock)}."


def empty_line(view: ChatView) -> str:
    if view.settings.empty_notice:
        return "A day without news: one line saying so (/digest quiet for no message)."
    return "A day without news: no message (/digest notice for one line saying so)."


def alerts_line(view: ChatView, group: str) -> str:
    if not view.settings.alerts:
        return "Alerts for new stories: off (/alerts on)."
    if view.every_category:
        return "Alerts for new stories: on, in every category as they arrive."
    if view.all_categories:
        return f"Alerts for new stories: on, in every category while {follows(group)} none: /subscribe to choose."
    return f"Alerts for new stories: on, in {whose(group).lower()} categories as they arrive."


def kept_for_returning(view: ChatView, clock: Clock, group: str = "") -> str:
    """What a reader's /start says they still get (one coming back after blocking the bot was greeted as a newcomer,
    their digest still coming, unsaid), or a `group` that adds the bot back (its digest came again the next morning,
    unannounced): "" for a chat that chose nothing."""
    settings = view.settings
    if not (view.stored and (view.categories or settings.digest or settings.alerts)):
        return ""
    kept = f"this {group}'s subscriptions are as they were" if group else "your subscriptions are as you left them"
    lines = [f"Welcome back: {kept}.", following(view, group)]
    return "\n".join([*lines, schedule(view, clock), alerts_line(view, group), "/mysubs shows them all."])


def settings_text(view: ChatView, clock: Clock, group: str, may_change: bool) -> str:
    """Everything a chat chose (/mysubs), and in a group, to a member who `may_change` nothing, whose to change."""
    heading = HTML.bold(f"{whose(group)} subscriptions")
    lines = [heading, following(view, group)]
    # A category whose stories all went, or whose feed files them under another name now, brings nothing.
    if gone := [name for name in view.categories if name not in view.known]:
        lines.append(no_stories_under(gone))
    lines.append(clock_lines(view, clock))
    if view.settings.digest:
        lines.append(empty_line(view))
    lines.append(alerts_line(view, group))
    if view.settings.topic is not None:
        lines.append("Digests and alerts come to the topic these settings were last changed in.")
    lines += ["", CHANGE_HINT]
    if told_admins_alone(group, may_change):
        lines.append(f"Only the {group}'s admins can change them.")
    return "\n".join(lines)


def told_admins_alone(group: str, may_change: bool) -> bool:
    """Whether a reply says that only the admins change the settings: to a group's member who `may_change` nothing
    (an admin read it as a refusal), and in a channel always, whose replies its subscribers read."""
    return group == "channel" or (bool(group) and not may_change)


def keyboard_text(view: ChatView, clock: Clock, group: str) -> str:
    """The message above the category buttons: in a group, who may tap them (a member's tap only met a refusal), the
    categories followed and, while it is on, when the digest comes: a new reader's first tap turned it on unsaid, where
    /subscribe sport says when it comes."""
    who = f"The {group}'s admins can tap" if group else "Tap"
    lines = [f"{who} a category to follow it, and tap it again to stop.", following(view, group)]
    return "\n".join([*lines, schedule(view, clock)] if view.settings.digest else lines)


def aside(view: ChatView) -> list[str]:
    """The words of the command that named no category, as lines (escaped; none when every word named one)."""
    return [HTML.escape(view.aside)] if view.aside else []


def subscribed(view: ChatView, clock: Clock, group: str) -> str:
    """After /subscribe with names."""
    added = [name for name in view.named if name in view.added]
    kept = [name for name in view.named if name not in view.added]
    lines = []
    if added:
        lines.append(f"Subscribed to {spoken_categories(added)}.")
    if kept:
        lines.append(f"{capital(follows(group, 'already'))} {spoken_categories(kept)}.")
    return "\n".join([*lines, *aside(view), following(view, group), schedule(view, clock)])


def unsubscribed(view: ChatView, clock: Clock, group: str) -> str:
    """After /unsubscribe with names."""
    removed = [name for name in view.named if name in view.removed]
    missing = [name for name in view.named if name not in view.removed]
    who = f"The {group}" if group else "You"
    lines = []
    if view.left_every and not view.removed:  # "/unsubscribe all" after "/subscribe all" in a bot with no stories
        lines.append(f"{capital(follows(group, 'no longer'))} every category to come (/subscribe all).")
    elif not view.named:  # "/unsubscribe all" of none
        lines.append(f"{who} followed no category in particular.")
    if removed:
        lines.append(f"Unsubscribed from {spoken_categories(removed)}.")
    if missing:
        lines.append(f"{who} did not follow {spoken_categories(missing)}.")
    lines += aside(view)
    on = view.settings.digest or view.settings.alerts
    if view.stopped:
        lines.append(stopped(view, group))
    else:
        lines.append(while_none(view, group) if view.all_categories and on else following(view, group))
    return "\n".join(lines)


def stopped(view: ChatView, group: str) -> str:
    """After "/unsubscribe all": what it turned off, and how to start again."""
    what = " and ".join(view.stopped)
    verb = "is" if view.stopped == ("daily digest",) else "are"
    # A subscribe turns the digest on again (as in a chat that never chose), but not the alerts.
    alerts = ", /alerts on the alerts" if "alerts" in view.stopped else ""
    return f"{whose(group)} {what} {verb} off now: nothing more comes. /subscribe starts the digest again{alerts}."


def unchanged(name: str, follow: bool) -> str:
    """What a press of an outdated button that changes nothing gets (plain text, a press's answer)."""
    shown = cap(category_label(name), BUTTON_LABEL_CHARS)
    return f"Already following {shown}." if follow else f"{shown} was not followed: nothing to stop."


def admins_only(group: str, unknown: bool = False) -> str:
    """Why a change in a group or channel was refused: the sender is no admin of it, or its admins could not be read
    (`unknown`); plain text."""
    return (_ADMINS_UNKNOWN if unknown else _ADMINS_ONLY).format(group)


def whose(group: str | None, opening: bool = True) -> str:
    """Whose settings a reply speaks of, "Your" or "This group's" opening a sentence, "your" or "the group's" within
    one: in a group, an admin's "Your time zone" read as their own, not the group's. `group` is the kind of chat
    the settings are shared by, "group" or "channel" ("" in a private chat, the reader's own); None: a line every
    kind of chat reads alike ("this chat's")."""
    if group is None:
        return "This chat's" if opening else "this chat's"
    if opening:
        return f"This {group}'s" if group else "Your"
    return f"the {group}'s" if group else "your"


def for_chat(line: str, group: str | None) -> str:
    """A usage or help line as the chat reads it: its "{its} time zone" as "your time zone", in a group "the group's
    time zone", or "this chat's time zone" for any chat (`group` None; plain text)."""
    return line.format(its=whose(group, opening=False))


def time_set(view: ChatView, clock: Clock, group: str, part: str | None = None) -> str:
    """After /time: the time set, the schedule, the hour chosen for the `part` of the day asked in words ("change my
    digest to the evening"), and on UTC how to have the reader's own clock (a reader in Tokyo who sent /time 8am read
    "every day at 08:00 (UTC)" and had the digest at 17:00). A digest of every category, the chat following none,
    says so: a /time after "/unsubscribe all" turned it on again, unsaid."""
    lines = [f"{whose(group)} digest time is {view.settings.daily:%H:%M}.", schedule(view, clock)]
    if view.settings.digest and view.all_categories and not view.every_category:
        lines.append(following(view, group))
    return "\n".join([*lines, *chosen_for(part, view.settings.daily), *utc_hint(view, clock, group)])


def utc_hint(view: ChatView, clock: Clock, group: str) -> list[str]:
    """How to have the reader's own clock, as a line, when the chat's zone is UTC itself (not London in winter)."""
    if view.settings.zone == clock.offset == "UTC":
        return [f"Times are in UTC; /timezone sets {whose(group, opening=False)} own, like /timezone Berlin."]
    return []


# After "/timezone GMT", set as UTC (the tz database's GMT, and the clock of readers on GMT all year): a reader in
# the UK means London's clock, which is BST in summer.
GMT_IS_UTC = "GMT is UTC all year round; for the UK's clock, BST in summer, send /timezone London."


def zone_set(view: ChatView, clock: Clock, group: str, note: str = "") -> str:
    """After /timezone: the zone set, its offset now and in the other half of the year, the schedule, and `note`
    (plain text) on what the words typed were read as."""
    zone = view.settings.zone
    seasons = f": {HTML.escape(clock.seasons)}" if clock.seasons else ""
    lines = [
        f"{whose(group)} time zone is {HTML.escape(zone)}{offset_now(zone, clock)}{seasons}.",
        schedule(view, clock),
    ]
    return "\n".join([*lines, HTML.escape(note)] if note else lines)


def time_wondered(view: ChatView, clock: Clock, group: str, asked: TimeWondered, may_change: bool) -> str:
    """To "should the digest come in the evening?": when it comes, and the /time that has it come then (to a group's
    member, who `may_change` nothing, its admins'), or that it does already. /time leaves a digest that is off off:
    so said, "/time 7pm has the daily digest come in the evening" promised one that did not come; an admin told
    "Only the group's admins can change it" read it as a refusal."""
    settings = view.settings
    if settings.digest and asked.met_by(settings.daily, settings.zone):
        then = f"It comes {f'in the {asked.part}' if asked.part else 'then'} already."
    else:
        then = f"{time_how(asked.typed, asked.part, 'the daily digest', HTML)}."
        if not settings.digest:
            then = f"{then.removesuffix('.')}, once /digest on turns it on."
        then += f" Only the {group}'s admins can change it." if told_admins_alone(group, may_change) else ""
    return f"{clock_lines(view, clock)}\n{then}"


def time_away(view: ChatView, clock: Clock, group: str, away: str, may_change: bool) -> str:
    """To "not at 9pm" or "instead of the morning" (the digest moved away from a time, none named to move it to): when
    it comes, and to name the time it should come at instead (to a group's member, that its admins set it). Read as
    the time named, "instead of 9pm" moved the digest to 21:00."""
    ask = f"Which time should it come at instead of {HTML.escape(away)}? Send /time with it, like /time 7am."
    told = f" Only the {group}'s admins can change it." if told_admins_alone(group, may_change) else ""
    return f"{clock_lines(view, clock)}\n{ask}{told}"


def zone_remarked(view: ChatView, clock: Clock, group: str, typed: str, named: str | None) -> str:
    """To a group's member who said where they live ("I live in Berlin"; `named`: the zone that reads as, if any):
    the group's time zone, whose admins set it, and how the member sets their own in a private chat (escaped); told
    the admins-only line, they read it as told off for a remark about themselves. A group on that clock already is
    said to be ("its admins choose it (/timezone Berlin)" of a group on Berlin's read as another zone)."""
    zone, own = HTML.escape(view.settings.zone), HTML.escape(typed)
    shown = f"{whose(group)} time zone is {zone}{offset_now(view.settings.zone, clock)}"
    if named == view.settings.zone:
        shown += " already, and its admins choose it"
    else:
        shown += f": its admins choose it (/timezone {own})"
    return f"{shown}. In a private chat with me, /timezone {own} sets your own."


def digest_set(view: ChatView, clock: Clock, group: str) -> str:
    if not view.settings.digest:
        return "Daily digest off. /digest on to get it again; /digest still shows it whenever you ask."
    return f"Daily digest on.\n{schedule(view, clock)}\n{following(view, group)}"


# Other times in a part of the day, for the reply to a digest asked for in it ("every evening"): the first that is
# not the time set.
PART_EXAMPLES = {
    "morning": (time(7), time(9)),
    "afternoon": (time(14), time(15)),
    "evening": (time(19), time(20)),
    "night": (time(22), time(23)),
}


def _as_typed(at: time) -> str:
    """A whole hour as a reader types it after /time ("7pm")."""
    return format(at, "%-I%p").lower()


def daily_set(view: ChatView, clock: Clock, group: str, part: str | None = None) -> str:
    """After a daily digest asked for in words ("send me the sport news every morning"): the categories followed (or
    the digest on), when it comes, that the chat's one digest moved when it did ("I want business news every
    evening" after a morning digest moved it unsaid, and the reader expected two), and the commands that change what
    was guessed: the hour chosen for the `part` of the day asked, and, on UTC, the reader's own clock ("every
    morning" at 08:00 UTC is Tokyo's evening)."""
    lines = [subscribed(view, clock, group) if view.named else digest_set(view, clock, group)]
    daily = view.settings.daily
    if view.moved_from is not None:
        its = whose(group, opening=False)
        lines.append(
            f"{whose(group)} digest moved from {view.moved_from:%H:%M} to {daily:%H:%M}: one digest a day brings all"
            f" {its} categories."
        )
    return "\n".join([*lines, *chosen_for(part, daily), *utc_hint(view, clock, group)])


def chosen_for(part: str | None, daily: time) -> list[str]:
    """The hour chosen for a part of the day asked in words (the chat's time when it lies in that part, else the
    part's usual one) and how to choose another, as a line; none when no part was asked."""
    if part is None:
        return []
    other = _as_typed(next(at for at in PART_EXAMPLES[part] if at != daily))
    return [f"For the {part} I chose {daily:%H:%M}: /time {other} or any other time changes it."]


def daily_how(categories: Sequence[str], typed_time: str | None, part: str | None, style: Style = HTML) -> str:
    """The commands that bring a daily digest asked how to get ("how do I get sport news every morning?"): follow the
    categories (or turn the digest on), then set its time (escaped for `style`)."""
    typed = style.escape(" ".join(category.lower() for category in categories))
    first = (
        f"/subscribe {typed} follows {spoken_categories(categories, style)}, whose news then comes in a daily digest"
        if categories
        else "/digest on brings a daily digest of the news"
    )
    then = time_how(typed_time, part, "it", style) or "/time 07:30 sets when it comes"
    return f"{first}; {then}. /mysubs shows what comes."


def time_how(typed_time: str | None, part: str | None, it: str, style: Style) -> str:
    """The /time that has the digest (`it`) come at the time typed or in the part of the day asked; "" for neither."""
    if typed_time is not None:
        return f"/time {style.escape(typed_time.removeprefix('at '))} has {it} come then"
    if part is not None:
        return f"/time {_as_typed(PART_EXAMPLES[part][0])} has {it} come in the {part}"
    return ""


def phrase_hint(categories: Sequence[str], follow: bool) -> str:
    """Under the answer to a phrase of a bare verb naming categories ("follow the money", searched: it followed Money
    at once), the command that follows them, or stops following them, for a reader who meant that (plain text)."""
    typed = " ".join(name.lower() for name in categories)
    shown = spoken_list([category_label(name) for name in categories])
    return f"/subscribe {typed} follows {shown}." if follow else f"/unsubscribe {typed} stops following {shown}."


def no_such_category(words: Sequence[str]) -> str:
    """Under the answer to a daily digest asked for of words no category is called ("send me tech news every
    morning" without Tech: searched, its passages read as the digest set), that none is (plain text)."""
    return f"No category is called “{' '.join(words)}”, so no digest was set: /categories lists those there are."


def alerts_asked(view: ChatView, clock: Clock, group: str) -> str:
    """After alerts asked for in words ("I want alerts for tech"): the categories followed, the digest, the alerts."""
    return f"{subscribed(view, clock, group)}\n{alerts_line(view, group)}"


def time_is_no_switch(choice: str) -> str:
    """After "/time off" (or on): the command that does that."""
    return f"/digest {choice} turns the daily digest {choice}; /time sets when it comes, like /time 07:30."


def digest_is_no_time(typed: str) -> str:
    """After "/digest 8am": the command that sets the time, with the reader's own time (escaped)."""
    shown = HTML.escape(cap(typed, SHOWN_CHOICE_CHARS))
    return f"“{shown}” is a time: send /time {shown} to have the digest then."


def empty_set(view: ChatView, clock: Clock, group: str) -> str:
    return f"{empty_line(view)}\n{schedule(view, clock)}"


def alerts_set(view: ChatView, clock: Clock, group: str) -> str:
    """After /alerts on or off, with the digest (off until the chat asks for it: alerts alone start none)."""
    return f"{alerts_line(view, group)}\n{schedule(view, clock)}"
