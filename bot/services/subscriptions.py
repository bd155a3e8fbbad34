"""A chat's categories and digest settings, as /subscribe, /unsubscribe, /mysubs, /time, /timezone, /digest and
/alerts change them. No Telegram here: the handlers parse the command, call one method, render what it returns.

Rules:
- A chat has no settings until it first changes something (subscribes, sets a time or a zone, turns the digest or
  alerts on). Its settings then start from the defaults (daily time and zone from bot.config), alerts off, and the
  digest off until the chat asks for it: subscribing, setting its time or its empty-day choice turn it on, once
  (`ChatSettings.digest_chosen`); /digest on|off decide it. A reader who only set a time zone, or turned alerts
  on, got a daily message unasked.
- A chat that follows no category gets every category, in its digest and in its alerts alike: the digest always
  did (a reader who only set /time gets the news), and alerts, off until asked for, stayed silent forever in such
  a chat where its digest had every story. The replies say so, with /digest off and /alerts off.
- "/subscribe all" follows every category, the ones that appear later too (`ChatSettings.all_since`): their
  stories are in its digests and alerts. It also subscribes to every category there is, so whatever lists a
  chat's categories still does. Any /unsubscribe ends it: the reader picks from then on.
- "/unsubscribe all" stops everything: the digest and alerts go off with the categories, as in a chat that never
  chose anything (so a /subscribe turns the digest on again). Left on, they brought every category: a reader who
  unsubscribed from all got alerts for every story after it.
- A change of daily time or zone, or turning the digest on, stores the next due instant again with
  `schedule.next_digest`, after the chat's previous scheduled digest, so no local day gets two; a move to another
  zone alone also leaves none without one (`schedule.next_after_move`: that day's, late, when its time has passed
  there and it had none). Other changes
  leave the due instant alone: recomputing it then could push a digest that is due but not yet claimed (this very
  minute) to tomorrow.
- Turning alerts on starts them now: what arrived before is not alerted.
- In a forum, digests and alerts go to the topic the chat's settings were last changed in (`set_topic`, after each
  change), so the group reads them where it chose them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, time, tzinfo
from functools import partial

from bot.config import Settings
from bot.errors import UsageError
from bot.services.categories import CategoryMatch, match_categories
from bot.services.schedule import (
    DailyAsk,
    next_after_move,
    next_digest,
    parse_time_and_zone,
    parse_timezone,
    time_in,
    zone,
)
from bot.store import ChatEdit, ChatSettings, Store


@dataclass(frozen=True)
class Defaults:
    """Where a chat's settings start: the daily time and zone key (bot.config's digest time and time zone)."""

    daily: time = time(8, 0)
    zone: str = "UTC"

    @classmethod
    def of(cls, settings: Settings) -> Defaults:
        return cls(settings.digest_time, settings.default_timezone)


@dataclass(frozen=True)
class ChatView:
    """A chat's subscriptions and settings, and what the last change did, for a reply or a keyboard of toggles."""

    chat_id: int
    # As stored, or the defaults (digest off) for a chat that never chose anything.
    settings: ChatSettings
    stored: bool
    categories: tuple[str, ...]
    # Every category the store knows (the toggles' labels).
    known: tuple[str, ...]
    # The categories the last command named, and which of them it added or removed.
    named: tuple[str, ...] = ()
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    # The words of that command that named no category, beside some that did (plain text, empty when none).
    aside: str = ""
    # That command (an unsubscribe) ended /subscribe all: the categories to come are no longer followed.
    left_every: bool = False
    # What that command ("/unsubscribe all") turned off: "daily digest", "alerts", both or none.
    stopped: tuple[str, ...] = ()
    # The time the chat's digest came at before that command moved it (a digest asked for in words at another time
    # moves the chat's one digest, with every category it follows); None when it did not move one that was on.
    moved_from: time | None = None

    @property
    def all_categories(self) -> bool:
        """True when the digest and alerts hold every category (the chat follows none in particular)."""
        return not self.categories

    @property
    def every_category(self) -> bool:
        """True when the chat subscribed to all categories, new ones too (/subscribe all)."""
        return _every(self.settings)

    def follows(self, category: str) -> bool:
        """Whether the chat's digests and alerts hold `category` by its choice: one it subscribed to, or any after
        /subscribe all (a category that appeared since has no subscription of its own)."""
        return self.every_category or category in self.categories


class Subscriptions:
    """Reads and changes chats' subscriptions and settings; one store transaction per call."""

    def __init__(self, store: Store, defaults: Defaults = Defaults()) -> None:
        zone(defaults.zone)  # a bad default is refused when the bot starts, not on a reader's first command
        self.store = store
        self.defaults = defaults

    def view(self, chat_id: int) -> ChatView:
        """A chat's categories and settings (/mysubs, the /subscribe keyboard)."""
        settings = self.store.chat_settings(chat_id)
        return self._view(chat_id, settings, self._followed(chat_id))

    def zone_of(self, chat_id: int) -> tzinfo:
        """The zone a chat reads times in: the one it chose with /timezone, else the default."""
        settings = self.store.chat_settings(chat_id)
        return zone(settings.zone if settings else self.defaults.zone)

    def subscribe(self, chat_id: int, words: Sequence[str], now: datetime) -> ChatView:
        """Follow the categories named by `words` (names or unique prefixes, any case; "all" for every category),
        even when other words name none (`ChatView.aside` says which, with "did you mean" for near misses);
        UsageError when no word names one."""
        known = self._known()
        match = self._match(words, [*known, *self._followed(chat_id)], "/subscribe sport tech")
        names = match.some_names(known)

        def every(settings: ChatSettings) -> ChatSettings:
            return replace(settings, all_since=settings.all_since or now) if match.everything else settings

        edit = self.store.edit_chat(chat_id, self._editor(chat_id, now, every, asks=True), now, subscribe=names)
        return replace(self._edited(chat_id, edit, names), aside=match.aside())

    def unsubscribe(self, chat_id: int, words: Sequence[str], now: datetime) -> ChatView:
        """Stop following the categories named by `words` ("all": every one the chat follows)."""
        followed = self._followed(chat_id)
        match = self._match(words, [*self._known(), *followed], "/unsubscribe sport")
        names = match.some_names(followed)
        return replace(self._stop(chat_id, names, now, everything=match.everything), aside=match.aside())

    def choose(self, chat_id: int, category: str, follow: bool, now: datetime) -> ChatView:
        """Follow (or stop following) one category by its exact name, whatever the chat does now: a keyboard button
        says which it means, so a second press of the same button, or a press of an outdated one, changes nothing."""
        if not follow:
            return self._stop(chat_id, (category,), now)
        if category not in self._known() and category not in self._followed(chat_id):
            raise UsageError(f"There is no category “{category[:30]}” any more. Send /subscribe for the list.")
        edit = self.store.edit_chat(chat_id, self._editor(chat_id, now, asks=True), now, subscribe=[category])
        return self._edited(chat_id, edit, (category,))

    def _stop(self, chat_id: int, names: tuple[str, ...], now: datetime, everything: bool = False) -> ChatView:
        """Stop following `names`. A chat that followed every category (/subscribe all) picks its own from now on,
        and keeps every other category there is by a subscription each: those that appeared since "all" had none,
        and "/unsubscribe weather" stopped them too, unsaid. `everything` ("/unsubscribe all") keeps none, and
        turns the digest and alerts off too, as a chat that never chose them has them."""

        def others(settings: ChatSettings | None, known: tuple[str, ...]) -> list[str]:
            # Read in the edit's transaction: a /subscribe all committed just before it is seen, with every
            # category that appeared by then.
            return [name for name in known if name not in names] if _every(settings) and not everything else []

        def picking(settings: ChatSettings | None) -> ChatSettings | None:
            if settings is None or not everything:
                return _picking(settings)
            return _rescheduled(replace(settings, all_since=None, digest=False, digest_chosen=False, alerts=False), now)

        edit = self.store.edit_chat(chat_id, picking, now, unsubscribe=names, keep=others)
        # A category that appeared after "all" was followed without a subscription of its own: stopped all the same.
        removed = tuple(dict.fromkeys([*edit.removed, *names])) if _every(edit.before) else edit.removed
        view = self._edited(chat_id, replace(edit, added=(), removed=removed), names)
        return replace(view, left_every=_every(edit.before), stopped=_stopped(edit.before, edit.settings))

    def names(self, chat_id: int) -> tuple[str, ...]:
        """The categories a chat's words may name: the store's, and the chat's own whose stories are gone (which it
        may still stop following)."""
        return (*self._known(), *self._followed(chat_id))

    def ask_alerts(self, chat_id: int, words: Sequence[str], now: datetime) -> ChatView:
        """Alerts asked for in words ("I want alerts for tech"): the categories named followed and alerts on, in one
        change; the digest as it was (alerts alone start none, as /alerts on)."""
        known = self._known()
        names = self._match(words, [*known, *self._followed(chat_id)], "/subscribe sport tech").some_names(known)
        alerts_on = self._editor(chat_id, now, partial(_alerts_on, now=now))
        edit = self.store.edit_chat(chat_id, alerts_on, now, subscribe=names)
        return self._edited(chat_id, edit, names)

    def set_time(self, chat_id: int, text: str, now: datetime) -> ChatView:
        """Set the daily digest time ("07:30", "7am", ...), and the time zone when one follows ("8am London")."""
        daily, key = parse_time_and_zone(text)
        return self._change(chat_id, now, lambda s: replace(s, daily=daily, zone=key or s.zone), asks=True)

    def ask_time(self, chat_id: int, asked: DailyAsk, on: bool, now: datetime) -> ChatView:
        """The digest's time asked for in words, at the time or in the part of the day `asked`: with `on` the digest
        itself was asked for ("send me the digest at 7pm"), and comes at that time also after /digest off (set as
        /time sets it, it stayed off, and the reply said so); without, the time alone is set, as /time sets it ("set
        the time to 7am")."""
        if on:
            return self.ask_daily(chat_id, (), asked, now)
        return self._change(chat_id, now, _asked_at(asked), asks=True)

    def ask_daily(self, chat_id: int, categories: Sequence[str], asked: DailyAsk, now: datetime) -> ChatView:
        """The daily digest a message asked for (`schedule.asked_daily`) in one change: `categories` followed (none:
        the chat's categories as they are), the digest on (also after /digest off: it was asked for), at the time
        asked, or in the part of the day asked (`schedule.time_in`), else at the chat's time."""
        at = _asked_at(asked)

        def change(settings: ChatSettings) -> ChatSettings:
            return replace(at(settings), digest=True, digest_chosen=True)

        named = tuple(categories)
        edit = self.store.edit_chat(chat_id, self._editor(chat_id, now, change), now, subscribe=named)
        view, before = self._edited(chat_id, edit, named), edit.before
        moved = before is not None and before.digest and before.daily != view.settings.daily
        return replace(view, moved_from=before.daily) if moved and before is not None else view

    def set_zone(self, chat_id: int, text: str, now: datetime) -> ChatView:
        """Set the time zone (a zone name, a city, or an offset from UTC)."""
        key = parse_timezone(text)
        return self._change(chat_id, now, lambda s: replace(s, zone=key))

    def set_digest(self, chat_id: int, on: bool, now: datetime) -> ChatView:
        """Turn the daily digest on or off."""
        return self._change(chat_id, now, lambda s: replace(s, digest=on, digest_chosen=True))

    def set_alerts(self, chat_id: int, on: bool, now: datetime) -> ChatView:
        """Turn alerts for new articles in the chat's categories on or off."""
        return self._change(chat_id, now, partial(_alerts_on, now=now) if on else lambda s: replace(s, alerts=False))

    def set_empty_notice(self, chat_id: int, on: bool, now: datetime) -> ChatView:
        """Whether an empty digest says "nothing new" (on) or is not sent (off)."""
        return self._change(chat_id, now, lambda s: replace(s, empty_notice=on), asks=True)

    def set_topic(self, chat_id: int, topic: int | None, now: datetime) -> ChatView:
        """Post the chat's digests and alerts in this forum topic (None: General); a chat without settings has
        nothing to post, and keeps none."""
        edit = self.store.edit_chat(chat_id, lambda s: s and replace(s, topic=topic), now)
        return self._edited(chat_id, edit, ())

    # ---- helpers ------------------------------------------------------------------------------------------------

    def _change(
        self, chat_id: int, now: datetime, change: Callable[[ChatSettings], ChatSettings], asks: bool = False
    ) -> ChatView:
        return self._edited(chat_id, self.store.edit_chat(chat_id, self._editor(chat_id, now, change, asks), now), ())

    def _editor(
        self,
        chat_id: int,
        now: datetime,
        change: Callable[[ChatSettings], ChatSettings] = lambda s: s,
        asks: bool = False,
    ) -> Callable[[ChatSettings | None], ChatSettings]:
        """The edit of a chat's stored settings (None: it has none yet, so the defaults) that `change` makes, with
        the digest turned on first when the change `asks` for it and the chat never chose it."""

        def edit(stored: ChatSettings | None) -> ChatSettings:
            before = stored or ChatSettings(
                chat_id, self.defaults.daily, self.defaults.zone, digest=False, digest_chosen=False
            )
            if asks and not before.digest_chosen:
                before = replace(before, digest=True, digest_chosen=True)
            after = change(before)
            if stored is not None and _schedule(after) == _schedule(stored):
                return after
            return _rescheduled(after, now, moved=stored is not None and _moved(stored, after))

        return edit

    def _known(self) -> tuple[str, ...]:
        return tuple(self.store.category_names())

    def _followed(self, chat_id: int) -> tuple[str, ...]:
        return tuple(name for name, _ in self.store.subscriptions(chat_id))

    @staticmethod
    def _match(words: Sequence[str], known: Sequence[str], example: str) -> CategoryMatch:
        """What `words` name among `known`: the store's categories and, still when no article of it is left, the
        chat's own."""
        if not any(word.strip() for word in words):
            raise UsageError(f"Name one or more categories, like {example}.")
        return match_categories(words, known)

    def _edited(self, chat_id: int, edit: ChatEdit, named: tuple[str, ...]) -> ChatView:
        return self._view(chat_id, edit.settings, edit.categories, named, edit.added, edit.removed)

    def _view(
        self,
        chat_id: int,
        settings: ChatSettings | None,
        categories: tuple[str, ...],
        named: tuple[str, ...] = (),
        added: tuple[str, ...] = (),
        removed: tuple[str, ...] = (),
    ) -> ChatView:
        shown = settings or ChatSettings(chat_id, self.defaults.daily, self.defaults.zone, digest=False)
        return ChatView(chat_id, shown, settings is not None, categories, self._known(), named, added, removed)


def _asked_at(asked: DailyAsk) -> Callable[[ChatSettings], ChatSettings]:
    """The change to the time (and zone) a message `asked` for: the time it names, or in the part of the day it
    names (`schedule.time_in`), else the chat's time as it is. Its words are read here, so a time /time refuses is
    refused as a UsageError before anything is stored."""
    daily, key = parse_time_and_zone(asked.time) if asked.time is not None else (None, None)

    def change(settings: ChatSettings) -> ChatSettings:
        at = daily or (time_in(asked.part, settings.daily) if asked.part else settings.daily)
        return replace(settings, daily=at, zone=key or settings.zone)

    return change


def _alerts_on(settings: ChatSettings, now: datetime) -> ChatSettings:
    """Alerts on, for stories from `now` when they were off."""
    return settings if settings.alerts else replace(settings, alerts=True, alerts_since=now)


def _every(settings: ChatSettings | None) -> bool:
    """Whether the chat follows every category, new ones too (/subscribe all)."""
    return settings is not None and settings.all_since is not None


def _picking(settings: ChatSettings | None) -> ChatSettings | None:
    """After an unsubscribe the reader picks the categories: new ones are no longer followed."""
    return settings and replace(settings, all_since=None)


def _stopped(before: ChatSettings | None, after: ChatSettings | None) -> tuple[str, ...]:
    """What a change turned off: "daily digest", "alerts", both or none."""
    if before is None or after is None:
        return ()
    turned_off = {"daily digest": before.digest and not after.digest, "alerts": before.alerts and not after.alerts}
    return tuple(name for name, off in turned_off.items() if off)


def _schedule(settings: ChatSettings) -> tuple[time, str, bool]:
    return settings.daily, settings.zone, settings.digest


def _moved(before: ChatSettings, after: ChatSettings) -> bool:
    """Whether a change moved the chat's digest to another zone alone (its time and being on kept)."""
    return before.digest and after.digest and before.daily == after.daily and before.zone != after.zone


def _rescheduled(settings: ChatSettings, now: datetime, moved: bool = False) -> ChatSettings:
    """The settings with the next due instant their schedule gives (none while the digest is off); `moved` to
    another zone, this day's there if it had none (`schedule.next_after_move`)."""
    if not settings.digest:
        return replace(settings, next_due=None)
    reschedule = next_after_move if moved else next_digest
    return replace(settings, next_due=reschedule(settings.daily, settings.zone, now, settings.previous_due))
