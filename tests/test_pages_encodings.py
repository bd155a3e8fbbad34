"""Pages and feeds fetched from 127.0.0.1 in the encodings newsbot tells files in (Windows-1251, Shift_JIS, ...),
under a server's default Western charset or none: read in their own encoding, as files are, not as Windows-1252."""

from __future__ import annotations

import ipaddress
from pathlib import Path
from urllib.parse import quote

import pytest

from bot.config import Settings
from bot.fetch import Fetched, Fetcher, fetch_page
from bot.ingest.feeds import Feed, parse_feed
from bot.models import Article
from tests.web_server import WebServer

LOOPBACK = (ipaddress.ip_network("127.0.0.1/32"),)
RUSSIAN = (
    "Паром возвращается в гавань",
    "Городской совет в среду одобрил новое расписание парома, который снова будет ходить через залив каждый час.",
    "Жители собрались на набережной в субботу, чтобы обсудить цены на билеты и ремонт старого причала.",
)
JAPANESE = (
    "港の渡し船が再開へ",
    "市議会は水曜日、湾を渡る渡し船を毎時運航する新しい時刻表を承認しました。",
    "住民は土曜日に岸壁に集まり、運賃と古い桟橋の修理について話し合いました。",
)
POLISH = (
    "Prom znowu kursuje przez zatokę",
    "Rada miejska zatwierdziła w środę nowy rozkład promu, który znów będzie pływał przez zatokę co godzinę.",
    "Mieszkańcy zebrali się w sobotę na nabrzeżu, żeby porozmawiać o cenach biletów i remoncie starego mola.",
)
GREEK = (
    "Το πλοίο επιστρέφει στο λιμάνι",  # noqa: RUF001 (Greek)
    "Το δημοτικό συμβούλιο ενέκρινε την Τετάρτη το νέο δρομολόγιο του πλοίου.",  # noqa: RUF001 (Greek)
    "Άλλοι κάτοικοι συζήτησαν το Σάββατο τις τιμές των εισιτηρίων.",
)
KOREAN = (
    "항구의 여객선 운항 재개",
    "시의회는 수요일 만을 건너는 여객선을 매시간 운항하는 새 시간표를 승인했다.",
    "주민들은 토요일 부두에 모여 운임과 오래된 선착장의 수리에 대해 이야기했다.",
)
CHINESE_TRADITIONAL = (
    "渡輪恢復每小時一班",
    "市議會星期三批准了新的渡輪時刻表，渡輪將重新每小時往返海灣一次。",  # noqa: RUF001 (full-width commas)
    "居民星期六聚集在碼頭，討論票價和舊碼頭的維修問題。",  # noqa: RUF001 (full-width commas)
)
# Servers' defaults: Apache's AddDefaultCharset, a CMS's Windows-1252, none at all.
WESTERN = ["text/html; charset=ISO-8859-1", "text/html; charset=windows-1252", "text/html"]


@pytest.fixture
def fetch_settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path, allow_private_addresses=LOOPBACK, fetch_timeout=5.0)


def page(story: tuple[str, ...], head: str = "") -> str:
    title, *paragraphs = story
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        f"<!DOCTYPE html><html><head>{head}<title>{title}</title></head>"
        f"<body><article><h1>{title}</h1>{body}</article></body></html>"
    )


async def read(web: WebServer, fetch_settings: Settings, name: str, body: bytes, kind: str) -> Article:
    web.live[name] = body
    async with Fetcher(fetch_settings) as fetcher:
        [article] = await fetch_page(fetcher, web.url(f"/live/{name}?type={quote(kind)}"))
    assert isinstance(article, Article), article
    return article


@pytest.mark.parametrize("kind", WESTERN)
@pytest.mark.parametrize(
    ("story", "encoding"),
    [
        (RUSSIAN, "cp1251"),
        (JAPANESE, "shift_jis"),
        (JAPANESE, "euc_jp"),
        (POLISH, "iso8859_2"),
        (POLISH, "cp1250"),
        (GREEK, "iso8859_7"),
        (KOREAN, "euc_kr"),
        (CHINESE_TRADITIONAL, "big5"),
    ],
    ids=["cp1251", "shift_jis", "euc_jp", "iso8859_2", "cp1250", "iso8859_7", "euc_kr", "big5"],
)
async def test_a_page_that_names_no_charset_is_read_in_the_encoding_its_bytes_show(
    web: WebServer, fetch_settings: Settings, kind: str, story: tuple[str, ...], encoding: str
) -> None:
    """A Russian page served as ISO-8859-1 without a `<meta charset>` was read, and stored, as Windows-1252; so were
    Polish and Greek pages, and Korean and Big5 ones too."""
    article = await read(web, fetch_settings, "story.html", page(story).encode(encoding), kind)
    assert (article.title, article.paragraphs) == (story[0], story[1:])


@pytest.mark.parametrize("kind", WESTERN)
async def test_a_pages_own_charset_wins_over_a_servers_western_default(
    web: WebServer, fetch_settings: Settings, kind: str
) -> None:
    """KOI8-R, which the bytes alone would not tell: the page's `<meta>` names it (Windows-1252 was read over it)."""
    head = '<meta http-equiv="Content-Type" content="text/html; charset=KOI8-R">'
    article = await read(web, fetch_settings, "koi8.html", page(RUSSIAN, head).encode("koi8-r"), kind)
    assert (article.title, article.paragraphs) == (RUSSIAN[0], RUSSIAN[1:])


async def read_feed(web: WebServer, settings: Settings, name: str, body: bytes, kind: str) -> Feed:
    """The feed `body` served as `name` with the Content-Type `kind`, fetched and read; read without a warning."""
    web.live[name] = body
    async with Fetcher(settings) as fetcher:
        fetched = await fetcher.get(web.url(f"/live/{name}?type={quote(kind)}"))
    assert isinstance(fetched, Fetched)
    read = parse_feed(fetched.body, fetched.final_url, content_type=fetched.content_type)
    assert isinstance(read, Feed) and read.warning is None
    return read


@pytest.mark.parametrize("kind", ["application/rss+xml; charset=ISO-8859-1", "application/rss+xml", "text/xml"])
async def test_a_feed_that_declares_no_encoding_is_read_in_the_one_its_bytes_show(
    web: WebServer, fetch_settings: Settings, kind: str
) -> None:
    title, *paragraphs = RUSSIAN
    feed = (
        '<rss version="2.0"><channel><title>Вестник залива</title><link>https://bay.example/</link>'
        f"<item><title>{title}</title><link>https://bay.example/ferry</link>"
        f"<description>{' '.join(paragraphs)}</description></item></channel></rss>"
    )
    read = await read_feed(web, fetch_settings, "bay.xml", feed.encode("cp1251"), kind)
    assert read.title == "Вестник залива"
    assert [(e.article.title, e.article.paragraphs) for e in read.entries] == [(title, (" ".join(paragraphs),))]


@pytest.mark.parametrize("kind", ["application/rss+xml; charset=ISO-8859-1", "application/rss+xml", "text/xml"])
@pytest.mark.parametrize(
    ("story", "encoding"),
    [(RUSSIAN, "koi8_r"), (POLISH, "iso8859_2"), (GREEK, "cp1253"), (KOREAN, "euc_kr")],
    ids=["koi8_r", "iso8859_2", "cp1253", "euc_kr"],
)
async def test_a_feed_in_another_legacy_encoding_is_read_in_it_too(
    web: WebServer, fetch_settings: Settings, kind: str, story: tuple[str, ...], encoding: str
) -> None:
    """KOI8-R, Central European, Greek and Korean feeds that declare nothing were read as Windows-1252 under a
    server's Western default, or as feedparser guessed."""
    title, *paragraphs = story
    feed = (
        f'<rss version="2.0"><channel><title>{title}</title><link>https://bay.example/</link>'
        f"<item><title>{title}</title><link>https://bay.example/ferry</link>"
        f"<description>{' '.join(paragraphs)}</description></item></channel></rss>"
    )
    read = await read_feed(web, fetch_settings, f"{encoding}.xml", feed.encode(encoding), kind)
    assert [(e.article.title, e.article.paragraphs) for e in read.entries] == [(title, (" ".join(paragraphs),))]


async def test_a_feeds_own_declaration_wins_over_a_servers_western_default(
    web: WebServer, fetch_settings: Settings
) -> None:
    """KOI8-R named in the XML declaration: feedparser lets a charset served outrank it, and ISO-8859-1's was
    checked against the bytes alone, which read it as Windows-1252."""
    title, *paragraphs = RUSSIAN
    feed = (
        '<?xml version="1.0" encoding="KOI8-R"?><rss version="2.0"><channel><title>Вестник залива</title>'
        f"<link>https://bay.example/</link><item><title>{title}</title><link>https://bay.example/ferry</link>"
        f"<description>{paragraphs[0]}</description></item></channel></rss>"
    )
    read = await read_feed(
        web, fetch_settings, "koi8.xml", feed.encode("koi8-r"), "application/rss+xml; charset=ISO-8859-1"
    )
    assert [(e.article.title, e.article.paragraphs) for e in read.entries] == [(title, (paragraphs[0],))]
