"""Sites' robots.txt and the turns of their story pages, kept for every process (tables `site_robots`, `site_turns`).

A site's robots.txt read by one process serves every other until it expires (see `bot.robots`). Reading it is
claimed: the first process to find it expired moves its end on by a short lease and reads it; the others go on
with the rules as they were meanwhile, as RFC 9309 lets a crawler keep rules it cannot read again. A site never
read is claimed by a row of no rules (`FIRST_READ`) until the read is kept: the others wait for it (two processes
reading a new site's robots.txt at once read it twice).

A site's turns: each story page a poll asks a site for takes the site's next turn in one short write transaction,
and moves it on by the site's gap (its Crawl-delay, else newsbot's), so two processes polling feeds of one site keep
that gap between them too.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Connection, Engine, delete, select, update

from bot.models import SiteRobots
from bot.store.engine import reading, writing
from bot.store.schema import site_robots, site_turns
from bot.store.upsert import upsert

# The status of a site's row while its first read is claimed (`claim_read`): no rules read yet.
FIRST_READ = "being read for the first time"


def robots(connection: Connection, site: str) -> SiteRobots | None:
    """The site's robots.txt as last read; None if it never was (its first read claimed or not)."""
    row = connection.execute(select(site_robots).where(site_robots.c.site == site)).first()
    if row is None or row.status == FIRST_READ:
        return None
    return SiteRobots(row.site, row.text, row.status, row.fetched_at, row.until)


def claim_read(connection: Connection, site: str, now: datetime, lease: timedelta) -> bool:
    """Whether this process is the one to read the site's robots.txt (never read, or expired at `now`): its end
    moves on by `lease`, so the others keep the rules kept meanwhile, or wait for a first read (`FIRST_READ`)."""
    first = {"site": site, "text": None, "status": FIRST_READ, "fetched_at": now, "until": now + lease}
    return upsert(connection, site_robots, first, ["site"], ["until"], where=site_robots.c.until <= now)


def renew_read(connection: Connection, site: str, held: datetime, until: datetime) -> bool:
    """Move on to `until` the end of this process's claim of the site's read, which it made end at `held`; False if
    another process has taken it over meanwhile."""
    renewed = connection.execute(
        update(site_robots).where(site_robots.c.site == site, site_robots.c.until == held).values(until=until)
    )
    return renewed.rowcount == 1


def drop_first_read(connection: Connection, site: str) -> None:
    """Give up the claim of a first read that kept nothing (the site asked to be left): another may claim it."""
    connection.execute(delete(site_robots).where(site_robots.c.site == site, site_robots.c.status == FIRST_READ))


def keep_robots(connection: Connection, read: SiteRobots) -> None:
    row = {"site": read.site, "text": read.text, "status": read.status, "fetched_at": read.fetched_at}
    upsert(connection, site_robots, {**row, "until": read.until}, ["site"], ["text", "status", "fetched_at", "until"])


def take_turn(connection: Connection, site: str, at: datetime, gap: timedelta, latest: datetime) -> datetime | None:
    """The site's next turn for a story page asked for at `at` (its turn or `at`, whichever is later), the one after
    it `gap` later; None (and nothing taken) when that turn is after `latest`."""
    upsert(connection, site_turns, {"site": site, "next_at": at}, ["site"], [])
    kept = connection.execute(select(site_turns.c.next_at).where(site_turns.c.site == site).with_for_update())
    turn: datetime = max(kept.scalar_one(), at)
    if turn > latest:
        return None
    connection.execute(update(site_turns).where(site_turns.c.site == site).values(next_at=turn + gap))
    return turn


class RobotsStore:
    """The robots tables over an engine: one short transaction per call, safe between threads and processes."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def robots(self, site: str) -> SiteRobots | None:
        with reading(self.engine, one_statement=True) as connection:
            return robots(connection, site)

    def claim_read(self, site: str, now: datetime, lease: timedelta) -> bool:
        with writing(self.engine) as connection:
            return claim_read(connection, site, now, lease)

    def keep_robots(self, read: SiteRobots) -> None:
        with writing(self.engine) as connection:
            keep_robots(connection, read)

    def renew_read(self, site: str, held: datetime, until: datetime) -> bool:
        with writing(self.engine) as connection:
            return renew_read(connection, site, held, until)

    def drop_first_read(self, site: str) -> None:
        with writing(self.engine) as connection:
            drop_first_read(connection, site)

    def take_turn(self, site: str, at: datetime, gap: timedelta, latest: datetime) -> datetime | None:
        with writing(self.engine) as connection:
            return take_turn(connection, site, at, gap, latest)
