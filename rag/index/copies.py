"""Near-duplicates: articles whose text is almost the same (a wire copy under another
headline, a version with its last paragraph trimmed) are kept, and each is marked as a copy
of the earliest one.

A MinHash signature (datasketch; word 5-gram shingles of the sentences that are not page
furniture: a photo gallery or a newsletter box on many pages is no sign of copying) estimates the
Jaccard similarity of two texts; it is cut into LSH bands kept in the manifest's SQLite
database, so finding an article's candidates is an indexed lookup, whatever the archive's
size. The manifest writes an article's rows in the same transaction as its version switch
and deletes them with it; deleting an original makes its earliest copy the original.
"""

from __future__ import annotations

import hashlib
import re
import sqlite3

import numpy as np
from datasketch import MinHash
from datasketch.lsh import _optimal_param

PERMUTATIONS = 128
# Estimated Jaccard similarity of the shingles from which an article is a copy (a copy with
# its last of ten paragraphs cut keeps ~0.9; an update adding three paragraphs ~0.75).
THRESHOLD = 0.8
BANDS, ROWS = _optimal_param(THRESHOLD, PERMUTATIONS, 0.5, 0.5)
MIN_SHINGLES = 20  # shorter texts are too short to call anything a copy
_WORD = re.compile(r"\w+")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS copies (
    doc_id TEXT PRIMARY KEY,
    copy_of TEXT,
    day INTEGER NOT NULL,
    signature BLOB
);
CREATE INDEX IF NOT EXISTS copies_by_original ON copies (copy_of);
CREATE TABLE IF NOT EXISTS copy_bands (
    band INTEGER NOT NULL,
    bucket INTEGER NOT NULL,
    doc_id TEXT NOT NULL,
    PRIMARY KEY (band, bucket, doc_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS copy_bands_by_doc ON copy_bands (doc_id);
"""


def signature(sentences: list[str]) -> np.ndarray | None:
    """The MinHash of the sentences' word 5-grams; None when there are too few."""
    words = _WORD.findall(" ".join(sentences).lower())
    shingles = {" ".join(words[i : i + 5]).encode() for i in range(len(words) - 4)}
    if len(shingles) < MIN_SHINGLES:
        return None
    minhash = MinHash(num_perm=PERMUTATIONS, seed=1)
    minhash.update_batch(list(shingles))
    return minhash.hashvalues.astype(np.uint64)


def buckets(sig: np.ndarray) -> list[tuple[int, int]]:
    """(band, bucket) of each LSH band of a signature."""
    out = []
    for band in range(BANDS):
        part = sig[band * ROWS : (band + 1) * ROWS].tobytes()
        digest = hashlib.blake2b(part, digest_size=7).digest()
        out.append((band, int.from_bytes(digest, "big")))
    return out


def _similarity(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.mean(a == b))


def _order(day: int, doc_id: str) -> tuple[int, str]:
    """Earliest first; an undated article counts as the latest."""
    return (day or 99999999, doc_id)


class Copies:
    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db
        self.db.executescript(_SCHEMA)

    def write(self, doc_id: str, day: int, sentences: list[str]) -> None:
        """Record the article and whether it copies an earlier one, from its sentences that
        are not page furniture; inside the caller's transaction. An article earlier than a
        group's original becomes its original."""
        self.delete(doc_id)
        sig = signature(sentences)
        if sig is None:
            self.db.execute("INSERT INTO copies VALUES (?, NULL, ?, NULL)", (doc_id, day))
            return
        mine = buckets(sig)
        originals = set()
        for other, other_sig, copy_of in self._candidates(mine):
            if _similarity(sig, np.frombuffer(other_sig, dtype=np.uint64)) >= THRESHOLD:
                originals.add(copy_of or other)
        original = None
        if originals:
            marks = ",".join("?" * len(originals))
            query = f"SELECT doc_id, day FROM copies WHERE doc_id IN ({marks})"
            days = dict(self.db.execute(query, list(originals)).fetchall())
            first = min(days, key=lambda d: _order(days[d], d))
            if _order(day, doc_id) < _order(days[first], first):  # older than the original
                group = list(days)
                marks = ",".join("?" * len(group))
                self.db.execute(f"UPDATE copies SET copy_of=? WHERE copy_of IN ({marks}) "
                                f"OR doc_id IN ({marks})", [doc_id, *group, *group])  # fmt: skip
            else:
                original = first
        self.db.execute(
            "INSERT INTO copies VALUES (?, ?, ?, ?)", (doc_id, original, day, sig.tobytes())
        )
        self.db.executemany(
            "INSERT OR IGNORE INTO copy_bands VALUES (?, ?, ?)", [(*b, doc_id) for b in mine]
        )

    def _candidates(self, mine: list[tuple[int, int]]) -> list[tuple[str, bytes, str | None]]:
        where = " OR ".join("(band=? AND bucket=?)" for _ in mine)
        found = self.db.execute(
            f"SELECT doc_id FROM copy_bands WHERE {where}", [x for b in mine for x in b]
        )
        ids = {r[0] for r in found}
        if not ids:
            return []
        rows = self.db.execute(
            f"SELECT doc_id, signature, copy_of FROM copies WHERE doc_id IN "
            f"({','.join('?' * len(ids))}) AND signature IS NOT NULL",
            list(ids),
        )
        return rows.fetchall()

    def delete(self, doc_id: str) -> None:
        """Remove the article's rows, inside the caller's transaction; its earliest copy, if
        it has copies, becomes their original."""
        copies = self.db.execute(
            "SELECT doc_id, day FROM copies WHERE copy_of=?", (doc_id,)
        ).fetchall()
        self.db.execute("DELETE FROM copies WHERE doc_id=?", (doc_id,))
        self.db.execute("DELETE FROM copy_bands WHERE doc_id=?", (doc_id,))
        if copies:
            first = min(copies, key=lambda row: _order(row[1], row[0]))[0]
            self.db.execute("UPDATE copies SET copy_of=? WHERE copy_of=?", (first, doc_id))
            self.db.execute("UPDATE copies SET copy_of=NULL WHERE doc_id=?", (first,))

    def missing(self) -> list[tuple[str, str, str, bytes | None]]:
        """(doc_id, date, text, sentence starts) of documents stored before copies were
        looked for, earliest published first."""
        rows = self.db.execute(
            "SELECT doc_id, date, text, sentence_starts FROM documents "
            "WHERE doc_id NOT IN (SELECT doc_id FROM copies) ORDER BY date = '', date, doc_id"
        )
        return rows.fetchall()
