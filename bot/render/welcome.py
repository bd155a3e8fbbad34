"""What a newcomer reads: the greeting with example questions, /help, and the reply to an unknown command."""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING, NamedTuple

from bot.analysis import sentences
from bot.calendar_words import MONTH_WORD
from bot.config import DEFAULT_ANSWER_SIZE, MAX_ANSWER_SIZE, MAX_QUESTION_CHARS
from bot.errors import NoWordsError, QuestionError
from bot.named_days import names_days_alone, without_day
from bot.render.headlines import category_lines
from bot.render.markup import HTML, Style, cap, category_label, count, title_of
from bot.render.split import split_message

if TYPE_CHECKING:
    from bot.models import StoredArticle
    from bot.store import StoreStats

GREETING_CATEGORIES = 8
# A command echoed back is shown this far; the rest of what was typed does not help the reader.
MAX_COMMAND_CHARS = 40

# (command, description, admins only)
Command = tuple[str, str, bool]


# Whole messages that are small talk, not questions: searching for "thanks" could only say that nothing answers it.
GREETINGS = frozenset(
    {
        "hi", "hello", "hey", "hiya", "howdy", "yo", "hi there", "hello there", "hey there", "greetings",
        "good morning", "good afternoon", "good evening", "good day", "hallo", "hola", "bonjour", "ciao",
        "are you there", "you there", "anyone there", "anybody there", "is anyone there", "is anybody there",
        "what's up", "whats up", "sup", "wassup", "how are you", "how are you doing", "how's it going",
        # A reader whose Telegram is in another language greets in it ("Привет" was told to ask in English).
        "guten tag", "guten morgen", "servus", "moin", "salut", "buenos dias", "buenos días", "buongiorno", "olá",
        "hej", "привет", "здравствуйте",
    }
)  # fmt: skip
ACKNOWLEDGEMENTS = frozenset(
    {
        "thanks", "thank you", "thanks a lot", "thank you very much", "many thanks", "thx", "ty", "cheers",
        "thank u", "thanx", "thnx", "tnx", "tysm",
        "great", "nice", "perfect", "good bot", "good job", "well done", "awesome",
        # Praise after an answer: searched, "thank you so much, that was helpful!" listed three random headlines
        # under "Nothing in the articles answers that".
        "helpful", "very helpful", "that was helpful", "that helps", "that helped", "this helps", "good to know",
        "interesting", "makes sense", "that makes sense", "wow", "brilliant", "excellent", "amazing", "love it",
        "brill", "nice one",
        # And thanks in it: searched, "Danke!" was told "No article uses the word “Danke”".
        "danke", "danke schön", "danke sehr", "vielen dank", "merci", "merci beaucoup", "gracias", "muchas gracias",
        "grazie", "grazie mille", "obrigado", "obrigada", "dank je", "dank je wel", "bedankt", "tack", "спасибо",
        "большое спасибо",
    }
)  # fmt: skip
# What else a chat says without asking, each answered in its kind: "lol" (searched, it was told no article uses the
# word) and "ok" then got "Glad to help", where a person laughs back or nods.
# "?" alone, or "huh", is a reader unsure what to type: the greeting shows what the bot knows and examples.
OTHER_TALK = {
    "okay": ("ok", "okay", "k", "kk", "ok ok", "okey", "okk", "oki", "okie", "okie dokie", "okey dokey",
             "alright", "all right", "sure", "fine", "cool", "got it",
             "noted", "understood", "i see", "right", "ok cool", "oh ok", "oh okay", "ah ok", "okay cool"),
    "laughter": ("lol", "lolol", "lool", "lolz", "haha", "hahah", "hahaha", "hahahah", "hahahaha", "ahaha", "hehe",
                 "hehehe", "heh", "lmao", "lmfao", "rofl", "xd"),
    "farewell": ("bye", "goodbye", "bye bye", "good night", "night", "see you", "see ya", "cya",
                 "see you later", "talk later", "ttyl"),
    "greeting": ("huh", "hm", "hmm", "hmmm", "eh"),
}  # fmt: skip
_NOT_WORDS = re.compile(r"[^\w\s']+")
# A thumbs-up, a heart, folded hands or a smile sent alone (a skin tone or a variation selector after each too, and
# "!" or "." among them): thanks without words, which was searched ("That has no words to search for": "🙂" was
# thanks, "😀", "😁" or "👍👍!" a question).
_THANKS_SIGN = "[👍🙏❤♥☺🙂😊😀😃😄😁😉😍🥰😘🤗👏🤝💯💪🎉✨⭐🌟🔥✅💙💚💛💜🧡🤍💕💖💗]"
# Laughter sent alone ("😂" was told it has no words to search for), an OK sign and a wave.
_SIGNS = {"acknowledgement": _THANKS_SIGN, "laughter": "[😂🤣😆😅😹]", "okay": "[👌🆗]", "greeting": "[👋]"}
_SIGNS_ALONE = {
    kind: re.compile(rf"[\s!.]*(?:{sign}[\U0001f3fb-\U0001f3ff\ufe0f]*[\s!.]*)+") for kind, sign in _SIGNS.items()
}
# A topic's sign sent alone asks for its news, as its word alone does ("⚽" was told it has no words to search for).
_TOPIC_SIGNS = {
    "sport": "⚽🏀🏈⚾🎾🏏🏉🏒⛳🏆🥇🏅🚴🏊🏃",
    "weather": "🌧☔⛈🌦🌤⛅🌩🌨❄🌡🌪🌈",
    "business": "💰💷💵💶💴📈📉🏦💹",
    "science": "🔬🧪🧬🔭🚀🧫",
    "technology": "💻📱🤖🖥⌨",
    "politics": "🗳🏛",
    "health": "🏥💊💉🩺",
    "culture": "🎬🎭🎨🎵🎶🎤🎸📚🎼",
}
_TOPIC_SIGN = {sign: topic for topic, signs in _TOPIC_SIGNS.items() for sign in signs}
_VARIATION = re.compile(r"[\ufe0f\U0001f3fb-\U0001f3ff\s!?.]")


def topic_of_sign(text: str) -> str | None:
    """The topic whose sign a message is, sent alone (once or more: "⚽⚽"): "sport" of "⚽"; else None."""
    signs = set(_VARIATION.sub("", text))
    topics = {_TOPIC_SIGN.get(sign) for sign in signs}
    return topics.pop() if len(topics) == 1 and None not in topics else None


# "?" alone: a reader unsure what to type (was "That has no words to search for").
_PUZZLED = re.compile(r"\s*[?¿]+[?!.\s]*")


# Words small talk comes with: "thanks so much", "hi bot", "ok thanks again", "thanks for the news", "hello? anyone
# there?".
SMALL_TALK_FILLER = frozenset(
    {"so", "very", "much", "a", "lot", "again", "bot", "there", "all", "and", "everyone", "for", "the", "that",
     "this", "news", "help", "info", "answer", "answers", "anyone", "anybody", "are", "you"}
)  # fmt: skip
# Whole messages that ask for what a command does ("help", "news", "what's new today?"): searching the articles
# for them finds some story that happens to use the word.
COMMAND_WORDS = {
    "help": (
        "help", "start", "menu", "commands", "what can you do", "how does this work", "how do i use this",
        "what is this", "what's this", "how does it work", "what can i ask", "what can i ask you",
        "what do you do", "how do i ask", "how to use", "usage",
    ),
    # What there is to follow or read: searched, "what categories are there?" found the Oscars' categories.
    "categories": (
        "categories", "category", "what categories are there", "what categories do you have", "which categories",
        "which categories are there", "list categories", "list of categories",
        "all categories", "what categories", "what topics are there", "what topics do you have", "which topics",
        "what topics do you cover", "what sections are there", "what kinds of news", "what kind of news",
        "what news do you have",
    ),
    # The library's size (`holdings`): searched, "how many articles do you have?" was told that nothing in the
    # articles answers it; then given the categories alone, "• News: 1 article", no total and no dates.
    "holdings": (
        "how many articles do you have", "how many articles are there", "how many articles", "how many stories",
        "how many stories do you have", "how many stories are there", "how many news articles do you have",
    ),
    # The reader's clock (`clock_reply`): searched, three random headlines under "Nothing in the articles answers that".
    "clock": (
        "what time is it", "what's the time", "whats the time", "what is the time", "time please", "the time",
        "what day is it", "what day is it today", "what's the date", "whats the date", "what is the date",
        "what's today's date", "whats todays date", "what is today's date", "what date is it", "today's date",
        "what's the date today", "what is the date today",
    ),
    # A first message to see whether anything answers: searched, "test" said no article uses the word.
    "test": (
        "test", "testing", "test test", "testing testing", "test 123", "testing 123", "test 1 2 3", "testing 1 2 3",
        "ping", "is this working", "is it working", "does this work", "does it work", "are you working",
        "are you alive", "are you awake", "hello world",
    ),
    # Questions about the bot itself: searched, "who made you?" answered from whatever story used "made".
    "about": (
        "who are you", "what are you", "who r u", "who made you", "who created you", "who built you",
        "who wrote you", "who programmed you", "who developed you", "who owns you", "who runs you",
        "who is your creator", "who's your creator", "who is behind you", "are you a bot", "are you a robot",
        "are you human", "are you a human", "are you a person", "are you real", "are you ai", "are you an ai",
        "are you chatgpt", "what is your name", "what's your name", "whats your name", "your name",
        "where do you get your news", "where does your news come from", "what are your sources",
        "where do your articles come from", "how do you work", "how do you know",
    ),
    "latest": (
        "news", "latest", "latest news", "headlines", "latest headlines", "top stories", "what's new", "whats new",
        "what is new", "anything new", "what's the news", "what's happening", "news today", "today's news",
        "what's the latest", "whats the latest", "what is the latest", "what's the latest news",
        "what is the latest news", "news from today", "what happened", "what's going on", "latest stories",
        # Searched, "breaking news" answered with stories on news sites and the rules a party broke.
        "breaking news", "latest breaking news", "top news",
        # "stories from last Tuesday", after its day (`without_day`): declined.
        "stories", "any stories",
        # A reader with nothing in mind, asking for whatever there is: declined, "No article uses the word
        # “interesting”" ("tell", "surprise", "read").
        "anything interesting", "something interesting", "what's interesting", "whats interesting",
        "tell me something", "tell me something interesting", "tell me something new", "tell me the news",
        "surprise me", "what should i read", "what's worth reading", "anything worth reading", "anything good",
        "what's trending", "whats trending", "what's hot", "whats hot",
    ),
    # Getting or stopping the digest and alerts: searched, "stop" found stories of people stopping things.
    "subscriptions": (
        "subscribe", "unsubscribe", "stop", "stop it", "stop sending", "stop messages", "stop sending messages",
        "stop the news", "stop sending news", "digest", "daily digest", "alerts", "notifications", "mute",
        # Searched: stories of cancelled contracts and resumed talks.
        "cancel", "cancel it", "cancel subscription", "pause", "resume", "unmute",
        "how do i subscribe", "how to subscribe", "how can i subscribe", "how do i unsubscribe", "how to unsubscribe",
        "how can i unsubscribe", "how do i stop", "how do i stop this", "how do i stop it", "how do i get a digest",
        "how do i get alerts",
        # A reader flooded by alerts: searched, "too many notifications" said no article uses the word.
        "too many messages", "too many notifications", "too many alerts", "fewer messages", "fewer notifications",
        "fewer alerts", "less messages", "less notifications", "less alerts",
        # The digest's time and zone: searched, "how do I change my timezone?" found no article using "timezone".
        "timezone", "time zone", "change timezone", "change time zone",
        "change my timezone", "change my time zone", "set my timezone", "set my time zone", "how do i set my timezone",
        "how do i set my time zone", "how do i change my timezone", "how do i change my time zone",
        "how to change timezone", "how to change time zone",
        "set the time", "change the time", "set the digest time", "set my digest time",
        "change digest time", "change the digest time", "change my digest time", "how do i change the digest time",
        "how do i change my digest time", "how do i change the time of the digest",
        # Searched: stories of changed times, and of a game "paused" everything in.
        "can i change the time of my digest", "can i change the digest time", "can i change my digest time",
        "how do i change the time of my digest", "stop everything", "turn everything off", "turn off everything",
        "pause everything", "cancel everything",
    ),
    # What the chat gets now, as /mysubs shows it: "what time is my digest?" got the line on every command, and
    # "what's my timezone?" was searched (a story of an exclusion zone).
    "settings": (
        "settings", "my settings", "subscriptions", "my subscriptions", "what are my settings",
        "what are my subscriptions", "what am i subscribed to", "what do i follow", "what am i following",
        "what time is the digest", "what time is my digest", "when is the digest", "when is my digest",
        "when does the digest come", "when does my digest come", "my timezone", "my time zone",
        "what's my timezone", "whats my timezone", "what is my timezone", "what's my time zone", "whats my time zone",
        "what is my time zone", "what timezone am i in", "what time zone am i in", "which timezone am i in",
        "which time zone am i in",
        # Searched: the story of a referee "following" play, a digest's "time".
        "which categories do i follow", "what categories do i follow", "what categories am i following",
        "which categories am i following", "what categories am i subscribed to", "which categories am i subscribed to",
        "what's the time of my digest", "what is the time of my digest", "what time does my digest come",
        "what time does the digest come",
        # Searched: a games magazine's "next" year, a virus "alert" site.
        "when will my digest come", "when will the digest come", "when is my next digest", "when is the next digest",
        "when's my digest", "when's my next digest", "when do i get my digest", "when do i get the digest",
        "what time will my digest come", "is my digest on", "is the digest on", "is my digest off",
        "is the digest off", "do i get a digest", "do i get the digest", "do i get alerts", "are my alerts on",
        "are alerts on", "are my alerts off", "are alerts off", "what time will i get it", "when will i get it",
        "when do i get it", "what time do i get it",
        # Searched, and answered confidently from stories that "get" things.
        "what do i get", "what will i get", "what am i getting", "what do i get from you", "what will you send me",
        # A digest missed, said as a complaint, was searched ("no digest today" and "no alerts?" are read by
        # `missed`). When it comes, and whether it is on, is what such a reader needs.
        "didn't get my digest", "didnt get my digest", "didn't get the digest", "didnt get the digest",
        "i didn't get my digest", "i didnt get my digest", "i didn't get the digest", "i didnt get the digest",
        "where is my digest", "where's my digest", "wheres my digest", "my digest didn't come",
        "my digest didnt come", "the digest didn't come", "the digest didnt come", "my digest never came",
        "the digest never came",
        # The digest asked for earlier or later, searched: when it comes now is what the reader chooses from.
        "send the digest earlier", "send the digest later", "send my digest earlier", "send my digest later",
        "send it earlier", "send it later", "can you send it earlier", "can you send it later",
        "can you send the digest earlier", "can you send the digest later", "can the digest come earlier",
        "can the digest come later", "can my digest come earlier", "can my digest come later",
        "could the digest come earlier", "could the digest come later", "could my digest come earlier",
        "could my digest come later", "i want the digest earlier", "i want the digest later",
        "i want my digest earlier", "i want my digest later",
        "move the digest earlier", "move the digest later", "move my digest earlier", "move my digest later",
        "earlier digest", "later digest", "make it earlier", "make it later",
    ),
    # The digest so far, as /digest shows it: "show me my digest" was searched.
    "digest": (
        "my digest", "my daily digest", "digest so far", "my digest so far", "today's digest", "todays digest",
        "what's in my digest", "whats in my digest", "what is in my digest", "preview my digest", "digest preview",
        "my digest now",
        # Searched: a games magazine called a Digest.
        "digest now", "the digest now", "what's in the digest", "whats in the digest", "what is in the digest",
    ),
    # Asking on after an answer: searched, "tell me more" finds stories of people telling things.
    "more": (
        "more", "tell me more", "more please", "show more", "go on", "continue", "next", "what else",
        "anything else", "and", "and then", "keep going",
    ),
}  # fmt: skip


class FrontEnd(NamedTuple):
    """How a front end names what its replies point to: Telegram (and `newsbot chat`, which is the Telegram bot in a
    terminal) by its commands, `newsbot ask` by the command line's."""

    help: str
    latest: str
    # Where the articles come from, as the reader of this front end can see or change it.
    sources: str
    # How to see more of an answer.
    more: str
    # The daily digest and alerts: how to get or stop them.
    subscriptions: str
    # The greeting's line before its example questions, and its last line.
    asking: str
    closing: str


TELEGRAM = FrontEnd(
    help="/help",
    latest="/latest",
    sources="Whoever runs me chooses the articles.",
    more="Tap “More” under an answer for more of it",
    subscriptions="The daily digest and alerts: /mysubs shows what this chat gets; /subscribe sport tech follows"
    " categories (/subscribe alone for buttons), /unsubscribe sport stops following one, /unsubscribe all stops"
    " everything (the digest and alerts too), /digest off and /alerts off stop their messages alone; /time 7am sets"
    " the digest's time, /timezone London your time zone.",
    asking="Ask me anything in your own words, for example:",
    closing="/subscribe brings a daily digest of the categories you choose; /help lists every command.",
)
# A group's greeting closes with whose choice its digest is: "the categories you choose" met a member's /subscribe
# with "Only this group's admins can change ...".
GROUP_CLOSING = (
    "/subscribe brings this group a daily digest of the categories its admins choose; /help lists every command."
)
# Where `newsbot ask` sends a reader for the daily digest, alerts and a chat's settings, which it has none of.
THE_BOT = "the Telegram bot (newsbot run, or newsbot chat to try it here)"
COMMAND_LINE = FrontEnd(
    help="newsbot --help",
    latest="newsbot latest",
    sources="The articles are those added here with newsbot ingest or newsbot feeds add (newsbot stats counts them).",
    more=f"Ask again with --k {2 * DEFAULT_ANSWER_SIZE} (up to {MAX_ANSWER_SIZE}) for more passages",
    subscriptions=f"The daily digest and alerts come from {THE_BOT}: /subscribe sport tech there follows"
    " categories, /time 7am and /timezone London set when the digest comes, /mysubs shows what a chat gets.",
    asking="Ask me anything in your own words, for example:",
    closing="newsbot latest lists the newest headlines; newsbot --help lists every command.",
)
# The replies to small talk that are a few words of text, not a command's reply (the greeting, /help, /latest): one
# table for every front end, worded for each by its `FrontEnd`.
TALK_REPLIES = {
    "acknowledgement": "Glad to help. Ask me anything else about the news whenever you like, or see {help}.",
    "okay": "👍",
    "laughter": "😄",
    "farewell": "Bye! Ask me about the news whenever you like.",
    "test": "I'm here and working. Ask me a question about the news in your own words, or see {latest} for the"
    " newest headlines.",
    "about": "I'm newsbot, a program that answers questions about news articles with the passages that answer them"
    " and their sources; I make nothing up, and say so when nothing answers. {sources} {help} lists what I can do.",
    "more": "{more}, or ask me another question.",
    "subscriptions": "{subscriptions}",
}


def clock_reply(now: datetime, zone: tzinfo, front: FrontEnd) -> str:
    """What "what time is it?" or "what's the date?" gets: the time and the day on the reader's clock (`zone`)."""
    local = now.astimezone(zone)
    day = f"{local:%A} {local.day} {local:%B %Y}"
    return f"It is {local:%H:%M} on {day} ({zone}). {front.latest} shows the newest headlines."


# Everyday asks a news library cannot serve, and what the reader is told it lacks (`live_hint`): "what's the weather
# like tomorrow" in a library with no weather story got a decline naming "weather" and "tomorrow" as words no article
# uses, as if a forecast were a story it might have had. A question of the past ("what was the score?", "how much
# rain fell?", "the exchange rate in October") asks the news, and reads as none of these, nor does a weather word
# naming something else ("the cold weather payment").
_PAST = re.compile(rf"\b(?:(?:was|were|did|had|been|yesterday|last|ago)\b|{MONTH_WORD})")
_NOW = r"(?:today|tonight|tomorrow|now|outside|this (?:morning|afternoon|evening|weekend|week)|at the weekend)"
LIVE_ASKS = (
    (
        re.compile(
            rf"\bweather\b(?! payments?| warnings?)|\b(?:forecast|temperature)(?: for)? {_NOW}|\bumbrella\b"
            r"|\b(?:is|will) it (?:going to |gonna )?(?:be )?(?:rain|snow|sunny|hot|cold|warm|windy|stormy|freezing)"
        ),
        "weather forecasts",
    ),
    (
        re.compile(r"\b(?:what'?s|whats|what is) the score\b|\b(?:live|current) scores?\b|\bwho(?:'s| is) winning\b"),
        "live scores",
    ),
    (
        re.compile(
            r"\b(?:share|stock|bitcoin|btc|gold|oil) prices?\b|\bprice of (?:bitcoin|gold|oil|a share)\b"
            r"|\bexchange rate\b|\bhow much is (?:a |one )?(?:bitcoin|dollar|euro|pound)\b",
        ),
        "live prices or exchange rates",
    ),
)
LIVE_HINT = "I answer from news articles only: I have no {lacked}."


def live_hint(question: str) -> str:
    """What a question asks that no news library serves, said under a decline or a weak answer ("I answer from
    news articles only: I have no weather forecasts."); "" for any other question."""
    asked = question.casefold().replace("\u2019", "'")
    if _PAST.search(asked):
        return ""
    return next((LIVE_HINT.format(lacked=lacked) for ask, lacked in LIVE_ASKS if ask.search(asked)), "")


def talk_reply(kind: str | None, front: FrontEnd) -> str | None:
    """The reply to small talk of this `kind` (`small_talk`) in plain text, worded for `front`; None for the kinds
    a command answers (greeting, help, latest) and for questions."""
    reply = TALK_REPLIES.get(kind or "")
    return None if reply is None else reply.format(**front._asdict())


# What "help" typed to `newsbot ask` gets: the command line's own ways to ask (its --help lists every command).
COMMAND_LINE_HELP = (
    'Ask me about the news in your own words: newsbot ask "who won the election?". newsbot latest lists the newest'
    " headlines (newsbot latest sport 20), newsbot chat talks with you as the Telegram bot does, and newsbot --help"
    " lists every command."
)
ACKNOWLEDGED = TALK_REPLIES["acknowledgement"].format(**TELEGRAM._asdict())
# The reply to "stop", "how do I subscribe?" and the like: the commands that do it.
SUBSCRIPTIONS_HINT = TELEGRAM.subscriptions
# The reply to "tell me more" and the like: the bot keeps no conversation, the answer's button does it.
MORE_HINT = TALK_REPLIES["more"].format(**TELEGRAM._asdict())
# Words those come with: "show me the latest news please", "what happened yesterday?" (searched, that found no
# article using "happened" or "yesterday"), "what happened last week?" (searched, "last" and "week" met no passage
# that answered, and it was declined).
COMMAND_FILLER = frozenset(
    {"please", "show", "me", "the", "today", "yesterday", "now", "bot", "any", "send", "give", "some", "pls"}
    | {
        "this",
        "last",
        "past",
        "few",
        "week",
        "weekend",
        "days",
        "night",
        "tonight",
        "lately",
        "recently",
        "week's",
        "weekend's",
    }
)
_SMALL_TALK = sorted(
    [(phrase, "greeting") for phrase in GREETINGS]
    + [(phrase, "acknowledgement") for phrase in ACKNOWLEDGEMENTS]
    + [(phrase, kind) for kind, phrases in OTHER_TALK.items() for phrase in phrases],
    key=lambda item: -len(item[0]),
)
# Of a message of several kinds, the one answered: "ok thanks" thanks, "haha ok bye" says goodbye.
_TALK_FIRST = ("greeting", "acknowledgement", "farewell", "laughter", "okay")


def _plain(text: str) -> str:
    return " ".join(_NOT_WORDS.sub(" ", text).casefold().split())


def _without_filler(text: str) -> str:
    return " ".join(word for word in _plain(text).split() if word not in COMMAND_FILLER)


_COMMANDS = {_without_filler(phrase): kind for kind, phrases in COMMAND_WORDS.items() for phrase in phrases}


# The verbs readers turn the digest or alerts off and on with ("stop the digest", "turn on alerts").
_OFF = (
    "stop(?: sending)?|turn off|switch off|pause|cancel|mute|disable|no more|unsubscribe(?: from)?"
    "|(?:i |we )?(?:don't|dont|do not) (?:want|need)(?: any)?"
)
_ON = "turn on|switch on|(?:re)?start(?: sending)?|resume(?: sending)?|bring back|unmute|enable"
# A request to change what the chat gets, in the words of its commands ("subscribe me to sport", "unsubscribe from
# sport", "stop the digest", "turn off alerts"): searched, each said no article uses "subscribe" or "stop".
_SETTING_REQUEST = re.compile(
    r"(?:can you |please |i want to |i'd like to |i would like to )?(?:un)?subscribe(?: .*)?"
    rf"|(?:{_OFF}|{_ON}) (?:.+ )?(?:digests?|alerts?|notifications?|subscriptions?)"
)

# The day a digest was missed on ("no digest today"), which a reader turning it off for good does not name.
_A_DAY = re.compile(r"\b(?:today|yesterday|tonight|this\s+(?:morning|evening|afternoon|week))\b", re.IGNORECASE)

# "stop the digest", "turn off alerts", "turn the digest on": the switch of /digest or /alerts a reader asked for in
# words, who got the line on every subscription command (`small_talk`'s "subscriptions") and had to type it again.
# "No digest please" and "digest off" (/digest off's words) too, searched ("no digest?" asks why none came).
# "I want alerts", "start the digest again", "switch the digest on" too (searched: a virus alert site).
_SWITCH = re.compile(
    rf"(?:(?:(?P<off>{_OFF}|(?P<no>no))|(?P<on>{_ON}|(?:i |we )?(?:want|would like)|(?:i|we)'d like))"
    r" (?:my |our |all |daily |news )*(?P<what>digests?|alerts?|notifications?)"
    r"|(?:turn |switch )?(?:my |our |daily |news )*(?P<turned>digests?|alerts?|notifications?) (?P<side>on|off))"
    # "turn alerts off for now", "I don't want alerts anymore", "start the digest again"
    r"(?: for(?: now| a while)?| anymore| any more| again)?"
)


# "unsubscribe from sport", "please unsubscribe me from sport and tech", "stop following business", "stop sending me
# sport news", "no more sport news", "remove sport", "I don't want sport anymore", "remove sport from my digest":
# /unsubscribe's words in a reader's own, which got the line on every subscription command or were searched.
_UNSUBSCRIBE = re.compile(
    r"(?:can you |could you |i want to |i'd like to |i would like to )?"
    r"(?:unsubscribe|unfollow|stop following"
    r"|(?P<stop>stop sending|stop|no more|remove|(?:i |we )?(?:don't|dont|do not) want(?: any)?))"
    r" (?:me |us )?(?:from )?(?P<words>.+?)"
    r"(?: from (?:my |our )?(?:daily )?(?:digests?|subscriptions?|list))?(?: anymore| any more)?"
)
# Words between categories' names ("sport and tech news").
_BETWEEN_NAMES = frozenset({"and", "or", "news", "stories", "category", "categories"})


def _names_in(words: list[str]) -> list[str]:
    """The words that may name categories (not `_BETWEEN_NAMES`), or all of them where none is left ("news")."""
    return [word for word in words if word not in _BETWEEN_NAMES] or words


def asked_unsubscribe(text: str) -> list[str] | None:
    """The words naming categories in a request to stop following them ("unsubscribe me from sport and tech" gives
    ["sport", "tech"], "from everything" ["all"]; "news" is a word between names unless it is the only one); None for
    any other text. Whether they name categories is for the caller, who knows them."""
    found = _UNSUBSCRIBE.fullmatch(_without_filler(text))
    if found is None:
        return None
    words = ["all" if word == "everything" else word for word in found["words"].split()]
    if found["stop"] and not set(words) - _BETWEEN_NAMES:
        return None  # "stop the news", "stop sending news": everything, as small talk says how (not a "News" category)
    return _names_in(words)


# "I want alerts for tech", "alert me about sport news", "notify me of business stories": /alerts on with the
# categories to follow, which was searched. Not "tell me about sport", which asks for its headlines.
_ALERTS_FOR = re.compile(
    r"(?:i want |i'd like |i would like |can i have |can i get |turn on |switch on )?(?:alerts?|notifications?)"
    r" (?:for|on|about|of|in) (?P<words>.+)"
    r"|(?:alert|notify) (?:us )?(?:about|of|on|for) (?:new |any )?(?P<about>.+)"
)


def asked_alerts(text: str) -> list[str] | None:
    """The words naming categories in a request for alerts of them ("I want alerts for tech" gives ["tech"], "alert
    me about sport news" ["sport"]); None for any other text. Whether they name categories is for the caller."""
    found = _ALERTS_FOR.fullmatch(_without_filler(text))
    if found is None:
        return None
    return _names_in((found["words"] or found["about"]).split())


def asked_switch(text: str) -> tuple[str, bool] | None:
    """The command a request to turn the digest or alerts on or off is ("digest" or "alerts"), and whether on:
    "stop the digest" gives ("digest", False), "turn on alerts please" ("alerts", True); None for any other text
    ("why did the union stop the strike?")."""
    found = _SWITCH.fullmatch(_without_filler(text))
    if found is None or missed(text):
        return None
    what = found["what"] or found["turned"]
    return ("digest" if what.startswith("digest") else "alerts"), bool(found["on"] or found["side"] == "on")


# "is this true?" and the like name nothing they ask of: sent alone, replying to nothing, they were searched, and on
# the BBC stories answered confidently with passages using "true" ("the true blue British one").
_OF_NOTHING = frozenset(
    _without_filler(phrase)
    for phrase in (
        "is this true", "is that true", "is it true", "true", "really", "is this right", "is that right",
        "is this correct", "is that correct", "is this real", "is that real", "is this fake", "is this fake news",
        "is this legit", "fact check", "fact check this", "check this", "can you check this", "can you verify this",
        "verify this", "source", "source please", "any source", "is there a source",
    )
)  # fmt: skip
OF_NOTHING = (
    "Reply to the message you mean with that question, or paste its words after it, and I'll look for the stories"
    " on it."
)


def asks_of_nothing(text: str) -> bool:
    """Whether a message asks only whether something unnamed is true ("is this true?", "source?"), which a reply to
    the message it means, or its words pasted, would name."""
    return _without_filler(text) in _OF_NOTHING


# The words of a picture's or a file's caption that ask about it alone ("what is this?", "who is this guy?", "what
# does this mean?"), after `_without_filler`: "what is this?" sent with a photo got the /help ("what is this" asks
# what the bot is), and "who is this guy?" was searched for "guy".
_ABOUT_ATTACHED = frozenset(
    {"what", "whats", "what's", "who", "whos", "who's", "where", "which", "is", "are", "was", "it", "here", "about",
     "explain", "tell", "me", "does", "do", "mean", "means", "say", "says", "thoughts", "idea", "can", "you", "read",
     "see", "look", "at", "picture", "photo", "pic", "image", "file", "document", "video", "screenshot", "in", "of",
     "guy", "man", "woman", "person", "people", "place", "meme", "thing", "please", "pls", "any", "know", "happened",
     "happening", "going", "on"}
)  # fmt: skip


def about_attached(caption: str) -> bool:
    """Whether a picture's or a file's caption asks only about what is attached ("what is this?", "is this true?"),
    which the bot cannot see; a caption with words of its own ("is this the chess champion?") is asked."""
    words = _without_filler(caption).split()
    return asks_of_nothing(caption) or (bool(words) and set(words) <= _ABOUT_ATTACHED)


def missed(text: str) -> bool:
    """Whether a message says the digest or alerts did not come, "no digest?", "no digest today", "no alerts this
    morning": asked after, not stopped (`small_talk`'s "settings" shows whether they are on, and when the digest
    comes). "no digest today" turned the digest off ("today" is filler), "no alerts today" was searched."""
    found = _SWITCH.fullmatch(_without_filler(_A_DAY.sub(" ", text)))
    return found is not None and found["no"] is not None and (text.rstrip().endswith("?") or bool(_A_DAY.search(text)))


# A group's members speak of its settings as theirs together ("when is our digest?", "what do we get?", "what are we
# subscribed to?", all searched): read as one reader's words ("when is my digest?").
_AS_ONE_READER = {"are we": "am i", "we are": "i am", "we": "i", "our": "my", "us": "me", "we're": "i'm"}
_PLURAL = re.compile(rf"\b(?:{'|'.join(sorted(_AS_ONE_READER, key=len, reverse=True))})\b")


def _one_reader(words: str) -> str:
    """A message's words (plain, lower case) as one reader says them: "our digest" as "my digest"."""
    return _PLURAL.sub(lambda found: _AS_ONE_READER[found[0]], words)


def small_talk(text: str) -> str | None:
    """The kind of small talk a whole message is: "greeting" (Hi!, and "?" or "hmm" alone), "acknowledgement"
    (thanks 👍, great), "okay" (ok, got it 👌), "laughter" (lol 😂), "farewell" (bye), or a
    command's or a button's words, "help" (help), "latest" (what's new?), "subscriptions" (stop, how do I
    subscribe?), "settings" (what time is my digest?), "digest" (show me my digest) or "more" (tell me more); else
    None. A message with a greeting
    in it greets."""
    if _SETTING_REQUEST.fullmatch(_without_filler(text)):
        return "subscriptions"
    if missed(text):
        return "settings"
    if _PUZZLED.fullmatch(text):
        return "greeting"
    if text.strip() and (kind := next((k for k, signs in _SIGNS_ALONE.items() if signs.fullmatch(text)), None)):
        return kind
    # A command's words whole, before the greetings and thanks among them: "anything interesting?" lost its
    # "interesting" (thanks' "interesting!") and was searched for "anything".
    if (command := _COMMANDS.get(_one_reader(_without_filler(text)))) is not None:
        return command
    rest = f" {_plain(text)} "
    kinds = set()
    for phrase, kind in _SMALL_TALK:
        while f" {phrase} " in rest:
            rest = rest.replace(f" {phrase} ", " ", 1)
            kinds.add(kind)
    if not kinds:
        return None
    if set(rest.split()) - SMALL_TALK_FILLER:
        # "yo what's new", "hi what can you do": a greeting before a command's words, without the comma that
        # `without_opening` needs (searched, "no article uses the word yo").
        return _COMMANDS.get(_one_reader(_without_filler(rest)))
    return next(kind for kind in _TALK_FIRST if kind in kinds)


# A greeting or thanks before a question, set off by punctuation ("Hi, who won?", "Thanks! And Google?"): its words
# would be searched too, and "hi" finds every "hi-tech" story. Without the punctuation it may be a name ("Hello
# Kitty sales", "Nice attack").
_OPENING = re.compile(
    rf"\W*(?:{'|'.join(re.escape(phrase) for phrase, _ in _SMALL_TALK)})(?: (?:bot|there|all|everyone))?"
    r"\s*[,!?.;:…]+\s*",
    re.IGNORECASE,
)


# A polite frame around a question of who, what, when... ("can you tell me who resigned?", "do you know when the
# ferry sails?"): searched, "tell" and "know" were words of the question, and where no article used them the answer
# was weak ("No article uses the word “tell”. These passages may help:"). "tell me about the ferry" asks for the
# story, as the search reads it: left whole.
_POLITE_FRAME = re.compile(
    r"(?:(?:(?:can|could|would|will) you |please |pls )?(?:please |pls )?(?:tell|show) me"
    r"|(?:do|does) (?:you|anyone|anybody) know|i(?: want| would like|'d like|\u2019d like) to know)"
    r",? (?=(?:who|whom|whose|what|when|where|why|how|which|whether|if)\b)",
    re.IGNORECASE,
)


def without_opening(text: str) -> str:
    """The question after a greeting or thanks that opens it ("Hi! What's new?" asks "What's new?"), and after a
    polite frame around it ("can you tell me who resigned?" asks "who resigned?"); else `text`."""
    found = _OPENING.match(text)
    question = text[found.end() :] if found else text
    framed = _POLITE_FRAME.match(question.lstrip())
    return question.lstrip()[framed.end() :] if framed else question


# Above the answer to a message longer than a question may be (`asked_in_long`).
LONG_ASKED = "That is a long message, so I searched its question: “{question}”"
LONG_READ = "That is a long message, so I searched its first {limit:,} characters."


def lede(post: str, limit: int = MAX_QUESTION_CHARS) -> str:
    """A forwarded post as a question: its first `limit` characters, cut between words (where a story's post tells
    it). A channel's post of 1,500 characters was refused as "That question is 1,500 characters long", which its
    reader could not shorten."""
    if len(post) <= limit:
        return post
    head = post[: limit + 1].rsplit(maxsplit=1)[0]
    return head if len(head) <= limit else post[:limit]


# A question a long message asks is shown in the note above its answer this far.
ASKED_SHOWN = 120


def asked_in_long(text: str, limit: int = MAX_QUESTION_CHARS) -> tuple[str, str]:
    """What a message longer than `limit` asks, and the note saying so (plain text): its last sentence ending in "?"
    (a reader gives the background first and asks last: "... So my question is simple: why were the ferries
    cancelled?"), else its first part (`lede`). A message of 1,597 characters was refused, "please ask in at most
    1,000", and then told "I keep no conversation" (its "she" read as pointing back); its reader expected it read,
    as a person would read it. The message itself for one within the limit, and no note."""
    if len(text) <= limit:
        return text, ""
    asked = [s for s in sentences(text) if s.rstrip().endswith("?") and len(s) <= limit]
    if asked:
        # Only the question of a sentence opening with its preamble: "So my question is simple: why ...?".
        question = asked[-1].rsplit(": ", 1)[-1]
        return question, LONG_ASKED.format(question=cap(question, ASKED_SHOWN))
    return lede(text, limit), LONG_READ.format(limit=limit)


def talk_of(text: str) -> tuple[str | None, str]:
    """The kind of small talk a message is (`small_talk`), and the question to search when it is none: after a
    greeting or thanks opening it ("Hi! What's new?" is asked "What's new?", which `small_talk` reads again). A
    request for the latest news of a day it names is "latest" ("what happened on 14 November?"; "what did the
    council decide on Monday?" is searched), and so is a day or a span alone ("2026", "7 December 2026") or a turn to
    one ("and yesterday?", "what about Tuesday?")."""
    if topic := topic_of_sign(text):
        return None, topic  # its category's newest where there is one (`asked_latest`), else searched
    question = without_opening(text)
    # Before small talk: of "and yesterday?" it read the day as filler and the "and" as "tell me more".
    if names_days_alone(question):
        return "latest", question
    if (talk := small_talk(text)) is not None:
        return talk, text
    if (talk := small_talk(question)) is None and small_talk(without_day(question)) == "latest":
        talk = "latest"
    return talk, question


# "sport news", "what's new in sport?", "latest tech headlines", "tell me about sport", "what happened in the courts
# last week?" (after `_without_filler`; searched, that was declined: no passage told what "happened").
_LATEST_OF = re.compile(
    r"(?:(?:what's|whats|what is|anything) new|latest|news|headlines|top stories)(?: (?:in|on|about|from|for))?"
    r" (?P<after>.+?)(?: (?:news|headlines|stories))?"
    r"|(?:what(?:'s|s| is)?|anything) (?:happened|happening|going on) (?:in|at|on) (?P<place>.+?)"
    r"|(?:tell|what|how|anything|stories|articles) (?:about|on) (?P<topic>.+?)(?: (?:news|headlines|stories))?"
    r"|(?P<before>.+?) (?:news|headlines|stories)"
    # A turn to another category after an answer, as to another day: "and in sport?" was searched for "sport".
    r"|and (?:(?:in|on|about|from|for) )?(?P<turned>.+?)"
)


def latest_of(text: str) -> str | None:
    """The words a message asks the newest headlines of, as "sport" in "sport news", "what's new in sport?",
    "latest tech headlines" or "tell me about sport"; None for other messages. Whether they name a category is the
    caller's to check ("news about Yukos" and "tell me about the ferry" are questions)."""
    match = _LATEST_OF.fullmatch(_without_filler(text))
    return (match["after"] or match["place"] or match["topic"] or match["before"] or match["turned"]) if match else None


def example_question(article: StoredArticle) -> str:
    """A question a newcomer can try, made from a headline (so it surely finds something); quoted, as a headline is
    often a sentence ("about India's rupee hits five-year high?" would read as a slip)."""
    return f"What do we know about “{title_of(article).rstrip('.!?…')}”?"


def _dates(stats: StoreStats) -> str:
    """When the articles were published; how many are undated when most are, rather than a misleading range."""
    dated = stats.articles - stats.undated
    if not (dated and stats.first_published and stats.last_published):
        return ", none of them dated"
    if stats.undated > dated:
        return f", {stats.undated:,} of them undated"
    first, last = f"{stats.first_published:%-d %b %Y}", f"{stats.last_published:%-d %b %Y}"
    span = f", published {first}" if first == last else f", from {first} to {last}"
    return span + (f" ({stats.undated:,} undated)" if stats.undated else "")


# What a list of the articles (/latest, /categories, "how many articles do you have?") says of an empty library.
NO_ARTICLES = "I have no articles yet."


def holdings(stats: StoreStats, style: Style = HTML) -> str:
    """What "how many articles do you have?" is told, in `style`: how many, in how many categories, published
    when (as the greeting says it), then each category with its count (`category_lines`)."""
    if not stats.articles:
        return NO_ARTICLES
    named = [name for name, _ in stats.categories if name]
    within = f" in {count(len(named), 'category', 'categories')}" if named else ""
    lines = category_lines(stats.categories, style) if named else []
    told = f"I have {count(stats.articles, 'news article')}{within}{_dates(stats)}"
    return "\n".join([f"{told}{':' if lines else '.'}", *lines])


def greeting(
    stats: StoreStats, examples: Sequence[str], in_group: bool = False, front: FrontEnd = TELEGRAM, style: Style = HTML
) -> list[str]:
    """What the bot knows, with example questions, as messages in `style` worded for `front`; `in_group`, as a
    group asks them (the bot reads no other message there: an example typed as shown got no answer)."""
    if not stats.articles:
        return ["Hello! I answer questions about news articles, but I have none yet."]
    names = [category_label(name) for name, _ in stats.categories if name]
    known = f"Hello! I answer questions about {style.bold(count(stats.articles, 'news article'))}"
    if names:
        shown = ", ".join(names[:GREETING_CATEGORIES]) + (", …" if len(names) > GREETING_CATEGORIES else "")
        known += f" in {count(len(names), 'category', 'categories')} ({style.escape(shown)})"
    if in_group:
        how, ask = "Ask me here with /ask, a mention of me or a reply to me, for example:", "/ask "
    else:
        how, ask = front.asking, ""
    lines = [known + _dates(stats) + ".", "", how]
    lines += [f"• {ask}{style.escape(q)}" for q in examples]
    lines += ["", GROUP_CLOSING if in_group else front.closing]
    return split_message(["\n".join(lines)])


# The greeting while the store is out of reach (its counts and example questions are in it): a newcomer's "hi" got
# only "my news database is not answering", as if the bot were broken.
GREETING_STORE_DOWN = (
    "Hello! I answer questions about news articles, but my news database is not answering just now, so questions"
    " must wait: please try again in a few minutes. /help lists every command."
)


def help_text(commands: Sequence[Command], username: str = "", group: str = "", example: str = "") -> str:
    """How to ask, with `example` (a question the library answers, as the chat types it), every command with what
    it does, and inline mode under the bot's @`username` (unknown: "my @username"), as Telegram HTML; in a `group`
    ("group", "" in a private chat), who changes its settings: a member read "/subscribe — choose categories for the
    group's digest" and met a refusal. /help showed no question to try: a newcomer read twelve commands, none of
    them a question."""
    lines = [
        "<b>Ask me about the news</b> in your own words: in a private chat just type the question; in a "
        "group use /ask, mention me, or reply to one of my messages.",
        *([f"For example: {HTML.escape(example)}"] if example else []),
        "",
    ]
    lines += [f"/{name} — {HTML.escape(text)}" + (" (admins only)" if admin else "") for name, text, admin in commands]
    if group:
        lines += ["", f"Anyone may read this {group}'s digest and settings; only its admins may change them."]
    mention = f"@{HTML.escape(username)}" if username else "my @username"
    lines += ["", f"Inline: type {mention} and a question in any chat to share a passage."]
    return "\n".join(lines)


def channel_help(commands: Sequence[Command], username: str = "") -> str:
    """What the bot does in a channel, where nobody asks it anything: the digest and alerts its admins set by posting
    `commands` there, and where questions are asked instead (Telegram HTML)."""
    me = f"@{HTML.escape(username)}" if username else "me"
    lines = [
        "<b>I send this channel a daily digest of the news</b>, and alerts for new stories if its admins turn them"
        " on. The admins set them by posting these commands here:",
        "",
    ]
    lines += [f"/{name} — {HTML.escape(text)}" for name, text, _ in commands]
    lines += ["", f"Questions about the news are asked in a private chat with {me} or in a group."]
    return "\n".join(lines)


def refused(exc: QuestionError, example: str) -> str:
    """What a question that cannot be searched gets (plain text): why, and for one with no words at all (an emoji),
    `example`, a question the library answers."""
    return f"{exc} Try a question such as: {example}" if isinstance(exc, NoWordsError) else str(exc)


def group_intro(username: str) -> str:
    """What the bot says when it is added to a group: how to ask it there (Telegram HTML)."""
    me = f"me (@{HTML.escape(username)})" if username else "me"
    return (
        "Hello! I answer questions about the news. To ask me here, use /ask, mention "
        f"{me} with your question, or reply to one of my messages. /help lists every command."
    )


def bare_mention(username: str, example: str) -> str:
    """What a mention of the bot with no question gets in a group: the ways a group asks, with `example` (a question
    the library answers: "What did the central bank decide?" was shown whatever it held) (Telegram HTML)."""
    me = f"@{HTML.escape(username)}" if username else "a mention of me"
    example = HTML.escape(example)
    return (
        f"Please type your question with the mention, for example: {me} {example}\n"
        f"Here /ask {example} works too, and so does a reply to one of my messages."
    )


def not_in_channels(command: str) -> str:
    """What a command that works only in chats gets when posted in a channel (Telegram HTML)."""
    shown = HTML.escape(cap(command, MAX_COMMAND_CHARS))
    return f"{shown} does not work in a channel: here I send the digest and alerts. /help lists the commands here."


# Commands readers type by other names (as other bots call them), with the one that does it here: "/settings" and
# "/subscriptions" met "Unknown command", though /mysubs shows both. "/stop" stops everything, as in other bots: it
# was pointed to /unsubscribe, which alone only lists what is followed.
COMMAND_ALIASES = {
    "settings": "mysubs", "mysettings": "mysubs", "subscriptions": "mysubs", "mysubscriptions": "mysubs",
    "subs": "mysubs", "status": "mysubs", "sub": "subscribe", "follow": "subscribe", "unsub": "unsubscribe",
    "unfollow": "unsubscribe", "stop": "unsubscribe all", "tz": "timezone", "zone": "timezone", "news": "latest",
    "headlines": "latest", "new": "latest", "search": "ask", "question": "ask", "commands": "help", "menu": "help",
    "category": "categories", "topics": "categories", "alert": "alerts", "notifications": "alerts",
    "digests": "digest", "schedule": "time", "about": "start", "info": "start", "hello": "start",
}  # fmt: skip
# How near a typed command is to one of ours to be meant for it ("/subscibe", "/lates", "/timzone").
_NEAR_COMMAND = 0.75


def meant_command(typed: str, commands: Sequence[str]) -> str | None:
    """The command of `commands` (names without "/") an unknown one was meant for: its other name
    (`COMMAND_ALIASES`, with the words it takes there), the one command it starts, or a near spelling of it; None
    when none is near."""
    name = typed.removeprefix("/").lower()
    if (alias := COMMAND_ALIASES.get(name)) is not None and alias.split()[0] in commands:
        return alias
    # The start of one command ("/stat" of /stats, though /start is as near by its letters).
    if len(starting := [command for command in commands if command.startswith(name)]) == 1 and len(name) > 2:
        return starting[0]
    close = difflib.get_close_matches(name, commands, n=1, cutoff=_NEAR_COMMAND)
    return close[0] if close else None


def unknown_command(command: str, meant: str | None = None) -> str:
    """Point an unknown command to the one `meant` (its name) and /help."""
    shown = HTML.escape(cap(command, MAX_COMMAND_CHARS))
    if meant is None:
        return f"Unknown command {shown}, see /help."
    if " " in meant:  # Telegram makes only "/unsubscribe" of "/unsubscribe all" a link: tapped, it did not stop all
        return f"Unknown command {shown}: did you mean <code>/{meant}</code>? Tap the button below to do it."
    return f"Unknown command {shown}: did you mean /{meant}? /help lists every command."


def send_anew(command: str) -> str:
    """Ask for a command edited into a message to be sent as a new one."""
    command = HTML.escape(cap(command, MAX_COMMAND_CHARS))
    return f"Commands are carried out when sent, not when edited: send {command} again."


def takes_no_words(command: str, instead: Sequence[str] = ()) -> str:
    """What a command that takes no words says of words typed after it (`/categories sport` showed the list as
    if nothing was typed, and the reader never learnt how to get Sport): that it reads none, and `instead` what
    does what they may have meant (Telegram HTML)."""
    return HTML.escape(f"/{command} takes no words" + (f": {', '.join(instead)}." if instead else "."))
