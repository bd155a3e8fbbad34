"""Where a static site publishes each of its posts: the link a Hugo or Jekyll post's page has, from the site's
configuration beside its source (Hugo's `baseURL` and `[permalinks]`, Jekyll's `url`, `baseurl` and `permalink`),
else each generator's default permalink.

A post without a `url` in its front matter went in with no link, though its site's folder says where it is.
"""

from __future__ import annotations

import functools
import json
import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

HUGO_CONFIGS = ("hugo.toml", "hugo.yaml", "hugo.json", "config.toml", "config.yaml")
JEKYLL_CONFIGS = ("_config.yml", "_config.yaml")
# How far above a post its site's folder may be (content/posts/2026/ferry/index.md is 4 below).
_DEPTH = 6
# Jekyll's named permalink styles, and its default (`date`).
_JEKYLL_STYLES = {
    "date": "/:categories/:year/:month/:day/:title:output_ext",
    "pretty": "/:categories/:year/:month/:day/:title/",
    "ordinal": "/:categories/:year/:y_day/:title:output_ext",
    "none": "/:categories/:title:output_ext",
}
_TOKEN = re.compile(r":(\w+)")
_FILE_DAY = re.compile(r"(\d{4})-(\d{2})-(\d{2})-(.+)")
_WRITTEN_DAY = re.compile(r"\s*(\d{4})-(\d{2})-(\d{2})")
# What Hugo keeps of a path's characters (its `MakePath`): letters, digits and these; a space becomes `-`.
_KEPT = frozenset("./_-#+~")
_YAML_LINE = re.compile(r"^(\s*)([\w.-]+)\s*:\s*(.*?)\s*$")

# A post's link's path on its site from its front matter and its date as read (None: the permalink has a part that
# cannot be filled).
Permalink = Callable[[Mapping[str, object], datetime | None], str | None]


@dataclass(frozen=True)
class StaticSite:
    """A Hugo or Jekyll site's source folder: its generator's name, its address (None when its configuration names
    none), its configuration file's name, and its permalinks (Hugo's by section; Jekyll's one under "")."""

    generator: str
    root: Path
    address: str | None
    config: str
    permalinks: Mapping[str, str]


def post_permalink(path: Path) -> tuple[StaticSite, Permalink] | None:
    """The static site a Markdown post is in and how its link's path is made, or None when the file is in none (a
    Jekyll page that is no post, outside `_posts/`, is in none: its place is its file's)."""
    for folder in list(path.parents)[:_DEPTH]:
        if (site := _site(folder)) is None:
            continue
        relative = path.relative_to(folder)
        if site.generator == "hugo":
            content = relative.parts[1:] if relative.parts[0] == "content" else None
            return (site, functools.partial(_hugo_path, site, content)) if content else None
        if "_posts" in relative.parts[:-1]:
            return site, functools.partial(_jekyll_path, site, relative)
        return None
    return None


@functools.cache
def _site(folder: Path) -> StaticSite | None:
    for name in HUGO_CONFIGS:
        if (folder / name).is_file() and (folder / "content").is_dir():
            config = _config(folder / name)
            links = config.get("permalinks")
            permalinks: dict[str, str] = {}
            if isinstance(links, Mapping):
                # Hugo 0.120's `[permalinks.page]` beside the older `[permalinks]` of sections.
                page = links.get("page")
                for section, pattern in (page if isinstance(page, Mapping) else links).items():
                    if isinstance(pattern, str):
                        permalinks[str(section)] = pattern
            address = config.get("baseURL") or config.get("baseurl")
            return StaticSite("hugo", folder, _address(address), name, permalinks)
    for name in JEKYLL_CONFIGS:
        if (folder / name).is_file():
            config = _config(folder / name)
            base = f"{config.get('url') or ''}".rstrip("/") + "/" + f"{config.get('baseurl') or ''}".strip("/")
            pattern = str(config.get("permalink") or "date")
            return StaticSite("jekyll", folder, _address(base), name, {"": _JEKYLL_STYLES.get(pattern, pattern)})
    return None


def _address(value: object) -> str | None:
    text = str(value or "").strip()
    return text.rstrip("/") if text.startswith(("http://", "https://")) else None


def _config(path: Path) -> Mapping[str, object]:
    """A site's configuration: TOML, JSON, or YAML's `key: value` lines two levels deep (`permalinks:` over
    `  posts: /:year/:slug/`), which is what a link needs of it."""
    text = path.read_text(encoding="utf-8", errors="replace")
    try:
        if path.suffix == ".toml":
            return tomllib.loads(text)
        if path.suffix == ".json":
            found = json.loads(text)
            return found if isinstance(found, dict) else {}
    except (tomllib.TOMLDecodeError, ValueError):
        return {}
    config: dict[str, object] = {}
    within: dict[str, object] | None = None
    for line in text.splitlines():
        if not (match := _YAML_LINE.match(line)) or line.lstrip().startswith("#"):
            continue
        indent, key, value = match.groups()
        value = value.split(" #", 1)[0].strip().strip("\"'")
        if not indent:
            within = None if value else {}
            config[key] = value or within
        elif within is not None and value:
            within[key] = value
    return config


def _hugo_path(
    site: StaticSite, content: tuple[str, ...], front: Mapping[str, object], published: datetime | None
) -> str | None:
    """A Hugo page's path: its section's permalink (`[permalinks] posts = "/:year/:month/:slug/"`), else Hugo's
    default, its folders and its slug or file name (`/posts/ferry-winter/`), lowercased as Hugo makes paths."""
    folders, name = content[:-1], Path(content[-1]).stem
    if name == "index" and folders:
        # A page bundle (`posts/ferry/index.md`) is named by its folder.
        folders, name = folders[:-1], folders[-1]
    slug = _plain(front.get("slug"))
    title = _plain(front.get("title"))
    pattern = site.permalinks.get(folders[0]) if folders else None
    if pattern is None:
        return _made_path("/".join((*folders, slug or name)) + "/")
    values = {
        "section": folders[0] if folders else "",
        "sections": "/".join(folders),
        "title": title,
        "slug": slug or title,
        "filename": name,
        "contentbasename": name,
        "slugorfilename": slug or name,
        "slugorcontentbasename": slug or name,
        **_date_values(front, published),
    }
    return _filled(pattern, values)


def _jekyll_path(
    site: StaticSite, relative: Path, front: Mapping[str, object], published: datetime | None
) -> str | None:
    """A Jekyll post's path by the site's `permalink` (a style's name or a pattern; `date` by default): its
    categories (the folders above `_posts/`, then its front matter's), its date and its title from its file name
    (`2026-12-01-pool-prices.md`) or its `slug`."""
    stem = Path(relative.name).stem
    day = _FILE_DAY.fullmatch(stem)
    folders = relative.parts[: relative.parts.index("_posts")]
    listed = front.get("categories") or front.get("category")
    named = listed.split() if isinstance(listed, str) else [str(c) for c in listed] if isinstance(listed, list) else []
    categories = [*folders, *named]
    dated = _date_values(front, published) or ({"year": day[1], "month": day[2], "day": day[3]} if day else {})
    name = _plain(front.get("slug")) or (day[4] if day else stem)
    values = {
        # Jekyll's own: categories lowercased, `:title` as cased as the file's name, `:slug` lowercased.
        "categories": "/".join(c.lower() for c in categories if c),
        "title": name,
        "slug": name.lower(),
        "output_ext": ".html",
        **dated,
    }
    if "year" in dated:
        values |= {
            "i_month": str(int(dated["month"])),
            "i_day": str(int(dated["day"])),
            "short_year": dated["year"][2:],
        }
    return _filled(site.permalinks[""], values, lower=False)


def _date_values(front: Mapping[str, object], published: datetime | None) -> dict[str, str]:
    """The post's day as its front matter writes it (`2026-12-02 18:30:00 +0100` is the 2nd, whatever it is in
    UTC), else as read."""
    if match := _WRITTEN_DAY.match(str(front.get("date") or "")):
        year, month, day = match.groups()
    elif published is not None:
        year, month, day = f"{published:%Y}", f"{published:%m}", f"{published:%d}"
    else:
        return {}
    return {"year": year, "month": month, "day": day}


def _filled(pattern: str, values: Mapping[str, str], lower: bool = True) -> str | None:
    """The pattern's tokens (`:year`) filled, or None when one cannot be (unknown, or the post has no date)."""
    missing = False

    def fill(match: re.Match[str]) -> str:
        nonlocal missing
        if (value := values.get(match[1])) is None:
            missing = True
            return ""
        return value

    path = _TOKEN.sub(fill, pattern)
    return None if missing else _made_path(path, lower)


def _made_path(path: str, lower: bool = True) -> str:
    """A path as the generators write it: spaces as `-`, other punctuation dropped, no `//`; lowercase, as Hugo
    makes its paths (Jekyll keeps a post's name as cased)."""
    spaced = "-".join(path.split())
    kept = "".join(c for c in (spaced.lower() if lower else spaced) if c.isalnum() or c in _KEPT)
    return "/" + re.sub(r"/{2,}", "/", kept).lstrip("/")


def _plain(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""
