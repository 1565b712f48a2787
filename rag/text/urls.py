"""One article, one URL key: the variants a link takes on the way (http or https, `www.`,
`index.html`, a trailing slash, `?` or `!`, a #fragment, tracking parameters) name the same
document. Parameters that name content (`?id=123`, `?story=…`) are kept, sorted."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit

# Parameters that say where a reader came from, never which article it is.
_TRACKING = re.compile(
    r"(?i)^(utm_\w+|fbclid|gclid|dclid|msclkid|mc_cid|mc_eid|igshid|yclid|_ga|_gl|ref|"
    r"ref_src|refsrc|cmpid|cmp|ncid|ocid|smid|smtyp|cid|icid|intcmp|src|source|"
    r"s_cid|soc_src|soc_trk|share|spm|feature|rss|partner|mbid|at_\w+|__twitter_impression)$"
)
_INDEX = re.compile(r"(?i)/(index|default)\.(html?|php|aspx?|shtml)$")
# What a link copied out of running text picks up at its end: "…/index.html!", "…/a/."
_TRAILING = "/!.,;:'\""


def url_key(url: str) -> str:
    """The URL with the variants of one address removed, e.g.
    `https://www.cnn.com/2022/06/12/media/squid-game/index.html?utm_source=x#top` ->
    `cnn.com/2022/06/12/media/squid-game`; "" for "". Not a URL to open: a key to compare."""
    url = url.strip()
    if not url:
        return ""
    parts = urlsplit(url if "://" in url else "//" + url)
    host = (parts.hostname or "").lower().removeprefix("www.")
    if parts.port and parts.port not in (80, 443):
        host += f":{parts.port}"
    path = re.sub(r"/{2,}", "/", parts.path).rstrip(_TRAILING)
    path = _INDEX.sub("", path).rstrip("/")
    query = sorted((k, v) for k, v in parse_qsl(parts.query) if not _TRACKING.match(k))
    key = host + path
    if parts.scheme and parts.scheme not in ("http", "https"):
        key = f"{parts.scheme}:{key}"
    return key + ("?" + urlencode(query) if query else "")
