"""What was done lately is not done again within its window, unless it failed (bot.services.recently)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.services.recently import Recently

NOW = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)


def test_a_key_is_claimed_once_within_the_window_and_again_after_it() -> None:
    recently = Recently(timedelta(minutes=10))
    assert recently.claim("a", NOW)
    assert not recently.claim("a", NOW + timedelta(minutes=9, seconds=59))
    assert recently.claim("b", NOW)
    assert recently.claim("a", NOW + timedelta(minutes=10))


def test_a_released_claim_can_be_claimed_again_at_once() -> None:
    recently = Recently(timedelta(minutes=10))
    assert recently.claim("a", NOW)
    recently.release("a")
    assert recently.claim("a", NOW)
