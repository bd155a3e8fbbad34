"""The flood budget: N processes split one budget (never N x 30), fan-out under its own lower budget, pacing."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.models import Rest
from bot.render.digests import render_alert, render_digest
from bot.services.budget import FloodBudget, TokenBucket
from bot.services.deliveries import Outcome
from bot.services.fanout import FanOut
from bot.services.presence import Presence
from bot.store import ChatSettings, Store, Worker
from tests.newsroom import url_of

NOW = datetime(2026, 3, 26, 12, 0, tzinfo=UTC)


@given(st.integers(min_value=1, max_value=200), st.floats(min_value=1, max_value=1000))
def test_processes_together_never_exceed_the_budget(processes: int, fanout: float) -> None:
    budget = FloodBudget(per_second=30, fanout_per_second=fanout)
    share = budget.share(processes)
    assert share.per_second * processes == pytest.approx(30)
    assert share.fanout * processes <= 30 + 1e-9
    assert share.fanout <= share.per_second  # fan-out never takes what answers need on top


def test_fan_out_leaves_room_for_answers() -> None:
    share = FloodBudget(per_second=30, fanout_per_second=20).share(2)
    assert (share.per_second, share.fanout) == (15, 10)
    assert share.per_second - share.fanout == 5  # each process keeps 5 a second for answers
    assert FloodBudget().share(0).per_second == 30  # this process always counts itself
    with pytest.raises(ValueError):
        FloodBudget(per_second=0)


@given(st.floats(min_value=0.5, max_value=100), st.integers(min_value=1, max_value=20), st.integers(1, 300))
def test_a_token_bucket_holds_its_rate_whatever_the_burst_of_requests(rate: float, burst: int, sends: int) -> None:
    bucket = TokenBucket(rate, burst, now=0.0)
    waits = [bucket.reserve(0.0) for _ in range(sends)]  # everyone asks at once
    assert waits == sorted(waits)
    # The k-th send goes no earlier than the rate allows after the burst.
    for k, wait in enumerate(waits):
        assert wait == pytest.approx(max(0.0, (k + 1 - burst) / rate), abs=1e-9)


def test_a_token_bucket_refills_and_follows_a_new_rate() -> None:
    bucket = TokenBucket(10, 1, now=0.0)
    assert bucket.reserve(0.0) == 0
    assert bucket.reserve(0.0) == pytest.approx(0.1)
    assert bucket.reserve(0.5) == 0  # refilled while idle (never above the burst)
    bucket.set_rate(2, 0.5)
    assert bucket.reserve(0.5) == pytest.approx(0.5)
    assert bucket.reserve(2.0, count=3) == pytest.approx(1.0)


def test_each_process_paces_its_fan_out_at_its_share(database_url: str, tmp_path: Path) -> None:
    """Two processes alive: a fan-out of 21 digests here goes at half the fan-out budget (10 a second), on a clock
    the test keeps."""
    store = Store.open(url_of(database_url, tmp_path))
    try:
        due = NOW - timedelta(minutes=1)
        store.import_chats([(ChatSettings(chat, due.time(), "UTC", next_due=due), []) for chat in range(21)], due)
        store.beat(Worker("elsewhere:1:x", "elsewhere", 1, NOW, NOW), NOW, NOW, NOW - timedelta(days=1))
        clock = [0.0]
        sent: list[tuple[float, int]] = []

        async def sleep(seconds: float) -> None:
            clock[0] += seconds

        async def send(
            chat_id: int, messages: Sequence[str], topic: int | None, kind: str = "", rests: Sequence[Rest] = ()
        ) -> Outcome:
            sent.append((clock[0], chat_id))
            return Outcome.sent()

        fanout = FanOut(
            store,
            Presence.join(store, NOW),
            render_digest,
            render_alert,
            budget=FloodBudget(per_second=30, fanout_per_second=20),
            concurrency=1,
            monotonic=lambda: clock[0],
            sleep=sleep,
        )
        asyncio.run(fanout.run(lambda: NOW, send))
        assert fanout.bucket.rate == 10  # 20 a second shared by two processes
        assert len(sent) == 21 and sent[-1][0] == pytest.approx(2.0)  # the first at once, then 10 a second
    finally:
        store.close()
