"""Which hosts and links belong to a crawl: the sources' own sites, a source's url_pattern,
and the configured host suffixes.

Apart from the crawl because it is policy, not work: the fetcher asks it where a redirect may
lead, the handling of a page which of its links to follow, and both answers are plain
functions of the registry's rows and the settings.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import urlsplit

from scraper.registry import Source
from xxgk import settings


def site_of(host: str) -> str:
    """The site a host belongs to: for x.gov.cn hosts the domain under gov.cn (xxgk.a.gov.cn
    -> a.gov.cn), for any other host the host itself (mirrors and lookalikes stay apart)."""
    host = host.lower().rstrip(".")
    if host.endswith(".gov.cn"):
        return ".".join(host.split(".")[-3:])
    return host


def allowed_host(host: str, sources: Iterable[Source]) -> bool:
    """Where a redirect may lead: a source's site (see `site_of`) or a configured suffix."""
    host = host.lower()
    sites = {site_of(s.host) for s in sources}
    return site_of(host) in sites or host.endswith(
        settings.CRAWL_ALLOWED_HOST_SUFFIXES or ("\0",))


def link_allowed(url: str, source: Source) -> bool:
    """A link is followed when it stays on the source's site: the same host, or another
    host of the same .gov.cn domain (www.x.gov.cn and xxgk.x.gov.cn are one publisher's),
    or when the registry's url_pattern for the source matches it."""
    host = (urlsplit(url).hostname or "").lower()
    if site_of(host) == site_of(source.host):
        return True
    if source.url_pattern and re.search(source.url_pattern, url):
        return True
    return bool(settings.CRAWL_ALLOWED_HOST_SUFFIXES) and host.endswith(
        settings.CRAWL_ALLOWED_HOST_SUFFIXES)
