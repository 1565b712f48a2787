"""Page furniture: sentences that are part of the web page, not of the report.

"Read more", newsletter prompts, "Hide Caption 3 of 226", "JUST WATCHED … Replay More
Videos", photo-gallery captions. They are found by how they recur, not by a list of
phrases; every article keeps them in its stored text, they are only never quoted or used
as evidence. Three keys per sentence, counted over the archive (rag/index/sentence_keys.py):

- its template (lower-cased, digits masked): furniture when the same sentence stands in
  at least TEMPLATE_DOCS articles that are not copies of one another (a wire story on
  three sites, or on thirty, repeats every sentence: that is a copy, not furniture; when
  many articles hold it, COPY_SAMPLE of them, the same ones each time, are checked);
- its frame (first two and last three words, digits masked): furniture when it recurs in
  at least FRAME_DOCS articles and more often than once an article on average (a video
  box repeats its frame around each video title; prose such as "“We are …," X said in a
  statement." recurs across articles, but about once in each);
- its opening (first three words), when it opens at least GALLERY_SENTENCES sentences
  and GALLERY_SHARE of one article's sentences (a photo gallery's "Photos: Russia
  invades Ukraine …" captions).

And one shape: a sentence that ends in a bare running time ("… 01:38") labels a video.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter

TEMPLATE, FRAME, GALLERY = 0, 1, 2
TEMPLATE_DOCS = 3
FRAME_DOCS = 5
FRAME_REPEAT = 1.5
GALLERY_SENTENCES = 5
GALLERY_SHARE = 0.2
# Two articles sharing this share of their sentences are copies of one story; of the many
# articles a sentence may stand in, this many are checked for being copies.
COPY_SHARE = 0.5
COPY_SAMPLE = 40
_DIGITS = re.compile(r"\d+")
_RUNNING_TIME = re.compile(r"\s\d{1,2}:\d\d$")


def _key(text: str) -> int:
    """A signed 64-bit hash (SQLite's INTEGER)."""
    digest = hashlib.blake2b(text.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def _words(sentence: str) -> list[str]:
    return _DIGITS.sub("0", sentence).split()


def template(sentence: str) -> int:
    return _key(" ".join(_words(sentence)).lower())


def frame(sentence: str) -> int:
    words = _words(sentence)
    return _key(" ".join(words[:2]) + " … " + " ".join(words[-3:]))


def opening(sentence: str) -> int:
    return _key(" ".join(_words(sentence)[:3]))


def document_keys(sentences: list[str]) -> list[tuple[int, int, int]]:
    """(kind, key, occurrences) of one article's sentences, as the manifest stores them."""
    templates = Counter(template(s) for s in sentences)
    frames = Counter(frame(s) for s in sentences)
    openings = Counter(opening(s) for s in sentences)
    gallery = max(GALLERY_SENTENCES, GALLERY_SHARE * len(sentences))
    rows = [(TEMPLATE, k, n) for k, n in templates.items()]
    rows += [(FRAME, k, n) for k, n in frames.items()]
    rows += [(GALLERY, k, n) for k, n in openings.items() if n >= gallery]
    return rows


def has_furniture_shape(sentence: str) -> bool:
    """True for a sentence shaped like page furniture whatever the archive holds."""
    return bool(_RUNNING_TIME.search(sentence.rstrip()))
