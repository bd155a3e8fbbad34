"""Presentation: answers, articles, headlines, stats and greetings as strings (Telegram HTML, terminal text, JSON).

No `telegram` import here: the handlers in `bot.tg` send what these functions return. Every Telegram message
leaves through `split.split_message` (or, for an answer with buttons, `answers.fit_answer`), so none exceeds
Telegram's 4096 characters as it counts them (after parsing; `split.fits`) and none is cut inside a tag or an entity.
"""
