"""Which documents of the manifest belong together: an article's near-copies (its original
and the copies of it, rag/index/copies.py) and the other reports of its story
(rag/index/stories.py), as the manifest's DocInfo rows."""

from __future__ import annotations

from rag.index.connections import PerThread
from rag.index.stories import Stories
from rag.types import DocInfo

INFO = "doc_id, title, date, url, source, chunks, ingested_at"
# a DocInfo's columns: the documents row, its near-copy original and its story
ROW = f"{INFO}, COALESCE(copy_of, ''), COALESCE(story_id, '')"
JOINED = "documents LEFT JOIN copies USING (doc_id) LEFT JOIN story_docs USING (doc_id)"


class Related:
    def __init__(self, db: PerThread, stories: Stories) -> None:
        self.db, self.stories = db, stories

    def originals(self, doc_ids: list[str]) -> dict[str, str]:
        """doc_id -> the article it is a near-copy of, for those of `doc_ids` that are."""
        ids = list(set(doc_ids))
        rows = self.db.execute(
            f"SELECT doc_id, copy_of FROM copies WHERE copy_of IS NOT NULL AND doc_id IN "
            f"({','.join('?' * len(ids))})",
            ids,
        )
        return dict(rows.fetchall())

    def copy_group(self, doc_id: str) -> tuple[DocInfo, ...]:
        """The other articles of the document's near-copy group: its original and copies."""
        root = self.originals([doc_id]).get(doc_id, doc_id)
        original = self._info(root) if root != doc_id else None
        group = ([original] if original else []) + self.copies_of(root)
        return tuple(d for d in group if d.doc_id != doc_id)

    def story(self, story_id: str) -> list[DocInfo]:
        """The documents of a story, earliest first."""
        rows = self.db.execute(
            f"SELECT {ROW} FROM {JOINED} WHERE story_id=? ORDER BY date = '', date, doc_id",
            (story_id,),
        )
        return [DocInfo(*row) for row in rows]

    def reported_with(self, doc_id: str) -> tuple[DocInfo, ...]:
        """The other articles of the document's story that are not near-copies of it."""
        story = self.stories.story_of(doc_id)
        copies = {d.doc_id for d in self.copy_group(doc_id)}
        return tuple(d for d in self.story(story) if d.doc_id != doc_id and d.doc_id not in copies)

    def copies_of(self, doc_id: str) -> list[DocInfo]:
        """The documents marked as near-duplicates of this one, earliest first."""
        rows = self.db.execute(
            f"SELECT {ROW} FROM {JOINED} WHERE copy_of=? ORDER BY date, doc_id",
            (doc_id,),
        )
        return [DocInfo(*row) for row in rows]

    def _info(self, doc_id: str) -> DocInfo | None:
        row = self.db.execute(f"SELECT {ROW} FROM {JOINED} WHERE doc_id=?", (doc_id,)).fetchone()
        return DocInfo(*row) if row else None
