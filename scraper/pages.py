"""What one item of a crawl's frontier becomes: fetched politely (conditionally when the
archive knows it), then a listing's links queued, a report or attachment stored in the
archive, a 304 answered from what the archive knows, or a failure recorded with its kind.

Apart from the crawl because it is the crawl's judgement of pages: the caps per site and per
source, robots.txt, off-site links, "页面不存在" stubs, a source URL that is itself a report.
The run's bookkeeping is scraper/run_record.py, and the order of the work
scraper/frontier.py.
"""

from __future__ import annotations

from collections import Counter
from typing import Any
from urllib.parse import urlsplit

from scraper import discover
from scraper.events import event, log, utc_now
from scraper.fetch import FetchConfig, Fetcher, Response
from scraper.frontier import Item
from scraper.registry import Source
from scraper.run_record import RunRecord
from scraper.scope import link_allowed, site_of
from xxgk import settings

DOC_MAGIC = (b"%PDF", b"PK\x03\x04", b"\xd0\xcf\x11\xe0")  # PDF, DOCX/zip, DOC/WPS (OLE)


class PageHandler:
    """Handles the items of the run that `record` keeps, fetching with `fetcher`."""

    def __init__(self, record: RunRecord, fetcher: Fetcher, config: FetchConfig) -> None:
        self.record = record
        self.db = record.db
        self.fetcher = fetcher
        self.config = config
        self.site_pages: Counter[str] = Counter()  # pages fetched per site in this process
        self.documents: Counter[str] = Counter()  # report links queued per source (capped)

    async def work(self, item: Item) -> None:
        """Handle one item; never raises: a bug is logged and recorded as the page's failure,
        so that it cannot stop the other sites."""
        self.record.last_log[item.url] = None
        try:
            await self._handle(item)
        except Exception as exc:  # a bug must not stop the other sites; it is recorded
            log.exception("crawl.bug url=%s", item.url)
            self._fail(item, "internal", repr(exc), None)
        self.record.last_log.pop(item.url, None)

    def _fail(self, item: Item, kind: str, message: str, resp: Response | None) -> None:
        record = self.record
        known = record.page(item.url)
        status = resp.status if resp else None
        with self.db.conn:
            if status in (404, 410) and known and known.get("document_id"):
                record.counts["vanished"] += 1
                record.update_page(item.url, {
                    "status": status, "last_fetched_at": utc_now(),
                    "vanished_at": known.get("vanished_at") or utc_now()})
                event("report.vanished", url=item.url, status=status,
                      document=known["document_id"][:12])
            else:
                record.counts["failed"] += 1
                record.errors[kind] += 1
                # the request that ended the page carries the failure's kind (a stub page
                # answered 200, a redirect that led off the site or in a loop)
                self.db.conn.execute(
                    "update fetch_log set error_kind = ?, error = coalesce(error, ?) where id = ?"
                    " and run_id = ? and (error_kind is null or error_kind != ?)",
                    [kind, message[:500], record.last_log.get(item.url), record.run_id, kind])
                record.upsert_page(item, {"status": status, "last_fetched_at": utc_now()})
                event("page.failed", url=item.url, kind=item.kind, error=kind, detail=message)
            record.frontier.mark(item, "failed")
            record.save_counts()

    async def _handle(self, item: Item) -> None:
        record = self.record
        source = record.sources.get(item.source)
        if source is None:  # a source removed from the registry since the run began
            with self.db.conn:
                record.frontier.mark(item, "skipped")
            return
        site = site_of(urlsplit(item.url).hostname or "")
        if self.site_pages[site] >= settings.CRAWL_MAX_PAGES_PER_SITE:
            self._fail(item, "site_cap", f"over {settings.CRAWL_MAX_PAGES_PER_SITE} pages for "
                       f"{site} in one run: left for the next run", None)
            return
        rules = await self.fetcher.robots_for(item.url)
        if rules.unreachable:
            self._fail(item, rules.kind, f"robots.txt: {rules.unreachable}", None)
            return
        if not rules.allowed(item.url, self.config.user_agent):
            record.counts["skipped"] += 1
            with self.db.conn:
                record.upsert_page(item, {"skip_reason": "robots.txt"})
                record.frontier.mark(item, "skipped")
                record.save_counts()
            event("page.skipped", url=item.url, reason="robots.txt disallows it")
            return
        known = record.page(item.url)
        if known and item.kind == "listing" and known["kind"] in ("report", "attachment"):
            item.kind = known["kind"]  # a source URL that turned out to be a report page
            item.meta.update(title=known["title"], year=known["report_year"],
                             publisher=known["publisher"])
        conditional = known is not None and not known.get("vanished_at") and (
            known.get("document_id") or (item.kind == "listing" and known.get("sha256")))
        cap = self.config.max_html_bytes if item.kind == "listing" else self.config.max_bytes
        resp = await self.fetcher.fetch(
            item.url, etag=known.get("etag") if conditional and known else None,
            last_modified=known.get("last_modified") if conditional and known else None,
            max_bytes=cap, purpose=item.kind)
        if not resp.not_modified:  # the cap counts downloads; a 304 costs the site little
            self.site_pages[site] += 1
        if resp.error_kind:
            self._fail(item, resp.error_kind, resp.error or "", resp)
            return
        if resp.not_modified and known:
            self._not_modified(item, known, resp)
            return
        if resp.status != 200:
            self._fail(item, f"http_{resp.status}", f"HTTP {resp.status}", resp)
            return
        record.counts["pages_fetched"] += 1
        if item.kind == "listing":
            self._listing(item, source, resp)
        else:
            self._document(item, source, known, resp)

    def _validators(self, resp: Response) -> dict[str, Any]:
        return {"etag": resp.headers.get("etag"), "last_modified":
                resp.headers.get("last-modified"), "status": resp.status,
                "last_fetched_at": utc_now()}

    def _not_modified(self, item: Item, known: dict[str, Any], resp: Response) -> None:
        record = self.record
        record.counts["not_modified"] += 1
        self.db.conn.execute("update fetch_log set from_cache = 1 where id = ?",
                             [record.last_log.get(item.url)])
        children: list[Item] = []
        for r in self.db.execute(
            "select p.url, p.kind, p.title, p.report_year, p.publisher from crawl_links l join "
            "crawl_pages p on p.url = l.child where l.parent = ? and p.kind in "
            "('listing', 'report', 'attachment') and p.skip_reason is null", [item.url]
        ).fetchall():
            meta = {"title": r[2], "year": r[3], "publisher": r[4]}
            children.append(Item(r[0], r[1], item.source, meta))
        if item.kind != "listing":
            record.counts["unchanged"] += 1
            record.report_seen(item)
        with self.db.conn:
            record.upsert_page(item, {"last_fetched_at": utc_now(), "status": 304})
            fresh = record.children(item, children, replace=False)
            record.frontier.mark(item, "done")
            record.save_counts()
        event("page.not_modified", url=item.url, kind=item.kind, children=len(children))
        for child in fresh:
            record.frontier.enqueue(child)

    def _decode(self, resp: Response) -> str | None:
        from parser.encoding import decode
        from parser.model import DocumentError

        try:
            return decode(resp.body, resp.headers.get("content-type")).text
        except DocumentError:
            return None

    def _listing(self, item: Item, source: Source, resp: Response) -> None:
        record = self.record
        html = self._decode(resp)
        if html is None:
            self._fail(item, "decode", "listing page does not decode as text", resp)
            return
        links = discover.listing_links(html, resp.final_url)
        if not any(link.kind == "report" for link in links) and item.url == source.url:
            title = discover.page_title(html)
            if discover.classify_title(title)[0]:
                # The registry names a report page, not a column (a publisher known only by
                # one report, or a Hanweb xxgkAnnualReport.jsp page): store it as a report.
                item.kind = "report"
                item.meta.update(title=title, year=discover.report_year(title),
                                 publisher=discover.title_publisher(title) or source.name)
                self._document(item, source, record.page(item.url), resp)
                return
        children: list[Item] = []
        skipped = capped = 0
        for link in links:
            if not link_allowed(link.url, source):
                event("link.offsite", url=link.url, title=link.title, source=source.name)
                continue
            if link.kind == "skipped":
                skipped += 1
                self.db.conn.execute(
                    "insert into crawl_pages (url, source, kind, title, skip_reason, "
                    "first_seen_at) values (?, ?, 'skipped', ?, ?, ?) on conflict (url) do "
                    "update set title = excluded.title, skip_reason = excluded.skip_reason",
                    [link.url, source.name, link.title, link.reason, utc_now()])
                event("link.skipped", url=link.url, title=link.title, reason=link.reason)
            elif link.kind == "pager":
                if discover.same_page(source.url, link.url) or (
                        record.listings[source.name] >= settings.CRAWL_MAX_LISTING_PAGES):
                    continue
                record.listings[source.name] += 1
                children.append(Item(link.url, "listing", source.name, {"title": link.title}))
            else:
                if self.documents[source.name] >= settings.CRAWL_MAX_DOCUMENTS_PER_SOURCE:
                    capped += 1
                    continue
                self.documents[source.name] += 1
                kind = "attachment" if discover.is_attachment_url(link.url) else "report"
                children.append(Item(link.url, kind, source.name, {
                    "title": link.title, "year": link.year,
                    "publisher": link.publisher or source.name}))
        with self.db.conn:
            record.upsert_page(item, {**self._validators(resp), "sha256": _sha(resp.body)})
            fresh = record.children(item, children)
            record.frontier.mark(item, "done")
            record.save_counts()
        if capped:
            event("source.capped", source=source.name, dropped=capped,
                  cap=settings.CRAWL_MAX_DOCUMENTS_PER_SOURCE)
        event("listing", url=item.url, source=source.name, links=len(children), skipped=skipped)
        for child in fresh:
            record.frontier.enqueue(child)

    def _document(self, item: Item, source: Source, known: dict[str, Any] | None,
                  resp: Response) -> None:
        from archive.store import add_document

        record = self.record
        body = resp.body
        html = None
        if not body.startswith(DOC_MAGIC):
            html = self._decode(resp)
            # cheap test on the markup first; the text is extracted only when a phrase shows
            if html and discover.is_stub(html):
                text = discover.visible_text(html)
                stub = discover.is_stub(text)
                if stub and len(text) < settings.CRAWL_STUB_MAX_CHARS:
                    self._fail(item, "stub", f"200 page says {stub!r}", resp)
                    return
            if html and not item.meta.get("title"):
                item.meta["title"] = discover.page_title(html)
        fetched_at = utc_now()
        doc_id, is_new = add_document(
            self.db, body, url=item.url, final_url=resp.final_url,
            media_type=resp.headers.get("content-type"), status=resp.status,
            headers=resp.headers, fetched_at=fetched_at, origin="crawl",
            publisher_hint=item.meta.get("publisher") or source.name)
        previous = known.get("document_id") if known else None
        if previous and previous != doc_id:
            what = "changed"
        elif is_new:
            what = "new"
        else:
            what = "unchanged"
        record.counts[what] += 1
        record.report_seen(item)
        children: list[Item] = []
        if html is not None and item.kind == "report" and discover.may_have_attachments(html):
            for link in discover.detail_links(html, resp.final_url):
                if not link_allowed(link.url, source):
                    event("link.offsite", url=link.url, source=source.name)
                    continue
                children.append(Item(link.url, "attachment", source.name, {
                    "title": link.title or item.meta.get("title"),
                    "year": link.year or item.meta.get("year"),
                    "publisher": item.meta.get("publisher"),
                    "report_key": item.meta.get("report_key")}))
        if html is not None and item.kind == "report":
            for url in discover.body_images(html, resp.final_url):
                if link_allowed(url, source):  # a table as a picture, for OCR
                    children.append(Item(url, "attachment", source.name, {
                        "title": item.meta.get("title"), "year": item.meta.get("year"),
                        "publisher": item.meta.get("publisher"), "image_of": item.url,
                        "report_key": item.meta.get("report_key")}))
        values = {**self._validators(resp), "sha256": doc_id, "document_id": doc_id,
                  "vanished_at": None}
        if what != "unchanged" or not known or not known.get("document_id"):
            values["last_changed_at"] = fetched_at
            # counted from document_urls, which add_document wrote with the bytes: a run
            # killed between that write and this one must not lose the version on resume
            values["versions"] = self.db.execute(
                "select count(distinct document_id) from document_urls where url = ?",
                [item.url]).fetchone()[0]
        with self.db.conn:
            record.upsert_page(item, values)
            fresh = record.children(item, children)
            record.frontier.mark(item, "done")
            record.save_counts()
        event(f"document.{what}", url=item.url, id=doc_id[:12], bytes=len(body),
              year=item.meta.get("year"), publisher=item.meta.get("publisher"))
        for child in fresh:
            record.frontier.enqueue(child)


def _sha(data: bytes) -> str:
    import hashlib

    return hashlib.sha256(data).hexdigest()
