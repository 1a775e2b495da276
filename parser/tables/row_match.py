"""A table row's printed label parts -> the layout's row, in the context of the rows above.

Merged label cells print a group once for several rows (（三）不予公开 over 1.属于国家秘密 …),
and text renderings run a group and its item together; the context of the last group seen
lets an item label be matched among that group's items only.
"""

from __future__ import annotations

from parser.tables.labels import normalize_label
from parser.tables.layout import RowDef, TableLayout
from xxgk.settings import TABLE_LABEL_MATCH_CACHE

# Longest row label (all its parts) whose match is remembered; template labels are ~40 chars.
MEMO_MAX_CHARS = 200


class RowContext:
    """Row matching for one table of one version, with the group context it carries."""

    def __init__(self, layout: TableLayout, version: str) -> None:
        self.layout = layout
        self.version = version
        self.top: str | None = None
        self.group: str | None = None
        self.captions = {normalize_label(t) for t in layout.captions}
        self.rows = {r.id: r for r in layout.rows(version)}
        self.children: dict[str, list[RowDef]] = {}
        for r in layout.rows(version):
            if r.parent:
                self.children.setdefault(r.parent, []).append(r)

    def match(self, parts: list[str]) -> tuple[RowDef | None, str | None]:
        """Row definition named by a row's label parts, using the merged-cell group context.

        The answer depends only on the parts and the context (the last group seen), and
        reports print the same rows in the same order, so it is remembered per layout with
        the context it leaves behind."""
        if sum(map(len, parts)) > MEMO_MAX_CHARS:  # not a template label: not kept
            return self._match(parts)
        key = (self.version, tuple(parts), self.top, self.group)
        memo = self.layout.row_memo
        found = memo.get(key)
        if found is None:
            leaf, note = self._match(parts)
            if len(memo) >= TABLE_LABEL_MATCH_CACHE:
                memo.clear()  # bounded, as the label matcher's memo
            found = memo[key] = (leaf.id if leaf else None, note, self.top, self.group)
        leaf_id, note, self.top, self.group = found
        return (self.rows[leaf_id] if leaf_id is not None else None), note

    def _match(self, parts: list[str]) -> tuple[RowDef | None, str | None]:
        matcher = self.layout.row_matcher(self.version)
        leaf: RowDef | None = None
        last_unknown: str | None = None
        for part in self.split_compound(parts):
            if normalize_label(part) in self.captions:
                continue
            context = {r.id for r in self.rows.values() if r.parent is None}
            for ctx in (self.top, self.group):
                if ctx:
                    context |= {r.id for r in self.children.get(ctx, [])}
            m = matcher.match(part, among=context)
            if m is None:
                hits = matcher.exact(part)
                m_id = hits[0] if len(hits) == 1 else None
            else:
                m_id = m.id
            if m_id is None:
                if self.is_fragment(part):
                    continue
                last_unknown = part
                continue
            last_unknown = None
            row = self.rows[m_id]
            if row.parent is None:
                self.top, self.group = row.id, None
            elif row.id in self.children:
                self.top, self.group = row.parent, row.id
            leaf = row
        if last_unknown is not None:
            return None, f"unknown row label {last_unknown!r}"
        return leaf, None

    def split_compound(self, parts: list[str]) -> list[str]:
        """Split a label that runs groups and their item together (（三）不予公开1.属于国家秘密,
        三、本年度办理结果（三）不予公开1.属于国家秘密 in a grid with one label column).

        Only when the whole text is no known label, it starts with a known group label, and
        what follows is, group by group, exactly a known item of that group.
        """
        out: list[str] = []
        for part in parts:
            out.extend(self.peel(part, normalize_label(part)) or [part])
        return out

    def peel(self, part: str, norm: str, among: set[str] | None = None) -> list[str] | None:
        """`norm` as a chain of group labels ending in an exact item label, or None."""
        matcher = self.layout.row_matcher(self.version)
        if not norm:
            return None
        if matcher.exact(norm, among=among) if among is not None else matcher.exact(norm):
            return [part]
        for parent, kids in self.children.items():
            if among is not None and parent not in among:
                continue
            for v in matcher.variants[parent]:
                rest = norm[len(v) :].lstrip("/")
                if not (norm.startswith(v) and rest):
                    continue
                tail = self.peel(rest, rest, among={k.id for k in kids})
                if tail:
                    return [v, *tail]
        return None

    def is_fragment(self, part: str) -> bool:
        """A piece of the current group's label cut off by a page break (（四）无 | 法提供)."""
        norm = normalize_label(part)
        for ctx in (self.group, self.top):
            if ctx and any(norm in v for v in self.layout.row_matcher(self.version).variants[ctx]):
                return True
        return False

