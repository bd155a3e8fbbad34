"""Repeating jobs on the application's job queue; they start with the application, after `post_init`."""

from __future__ import annotations

from bot.tg.context import App


def register_jobs(application: App) -> None:
    """Schedule the bot's repeating jobs (none yet: following the store's change log comes here)."""
