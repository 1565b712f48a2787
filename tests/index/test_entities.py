"""The names spaCy finds in each article at ingest: stored with the article at their exact
offsets, gone with it, found for an archive stored before they were."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from rag.answer.evidence import rank_sentences
from rag.answer.weights import AnswerWeights
from rag.pipeline import Archive
from tests.conftest import SEEDS, write_article

BRIEF = (
    "Secretary of State Antony Blinken met European ministers in Brussels on Tuesday.",
    "Russia's deputy foreign minister Sergei Ryabkov said the talks had reached a dead end.",
)


def _names(archive: Archive, title: str) -> dict[str, tuple[str, str]]:
    """key -> (label, the stored text at the entity's offsets) of the article's entities."""
    doc = next(d for d in archive.documents() if d.title == title)
    text = archive.document(doc.doc_id)[1]
    found = archive.manifest.entities.of([doc.doc_id]).get(doc.doc_id, [])
    return {e.key: (e.label, text[e.start : e.end]) for e in found}


def test_an_articles_names_are_stored_with_it_at_their_offsets(archive, tmp_path: Path):
    write_article(tmp_path / "a", "brief.txt", "Blinken in Brussels", "20220110",
                  "https://news.test/brief", *BRIEF)  # fmt: skip
    archive.ingest([tmp_path / "a"])
    names = _names(archive, "Blinken in Brussels")
    assert names["antony blinken"] == ("PERSON", "Antony Blinken")  # the title is not the name
    assert names["sergei ryabkov"] == ("PERSON", "Sergei Ryabkov")
    assert names["brussels"] == ("GPE", "Brussels")
    assert names["tuesday"] == ("DATE", "Tuesday")
    assert names["russia"][0] == "GPE"  # "Russia's": the possessive is not part of the key


def test_an_articles_names_go_when_it_is_replaced_or_deleted(archive, tmp_path: Path):
    path = write_article(tmp_path / "a", "brief.txt", "Blinken in Brussels", "20220110",
                         "https://news.test/brief", *BRIEF)  # fmt: skip
    archive.ingest([tmp_path / "a"])
    path.write_text(path.read_text().replace("Sergei Ryabkov", "Maria Zakharova"))
    archive.ingest([tmp_path / "a"])
    names = _names(archive, "Blinken in Brussels")
    assert "maria zakharova" in names and "sergei ryabkov" not in names
    doc = archive.documents()[0]
    assert archive.delete(doc.doc_id)
    assert archive.manifest.entities.of([doc.doc_id]) == {}
    rows = archive.manifest.db.execute("SELECT count(*) FROM entities").fetchone()[0]
    assert rows == 0  # nothing left of any version


def test_an_archive_from_before_names_gets_them_at_the_next_ingest(archive, tmp_path: Path):
    write_article(tmp_path / "a", "brief.txt", "Blinken in Brussels", "20220110",
                  "https://news.test/brief", *BRIEF)  # fmt: skip
    archive.ingest([tmp_path / "a"])
    with archive.manifest.db as db:  # as an archive stored before names were found has it
        db.execute("DELETE FROM entities")
        db.execute("DELETE FROM named_docs")
    assert _names(archive, "Blinken in Brussels") == {}
    doc_id = archive.documents()[0].doc_id
    said = archive.quotes(doc_id=doc_id)
    archive.ingest([SEEDS])
    assert _names(archive, "Blinken in Brussels")["antony blinken"][0] == "PERSON"
    assert archive.quotes(doc_id=doc_id) == said  # its attributions kept, none twice


def test_with_the_name_weight_a_passage_about_another_johnson_does_not_win(archive, tmp_path):
    news = tmp_path / "news"
    write_article(news, "golf.txt", "Johnson announces a new golf course", "20240301",
                  "https://golf.test/a",
                  "Dustin Johnson, the American golfer, spoke in Florida on Friday.",
                  "Johnson announced plans for a new golf course and a training centre for "
                  "young players.")  # fmt: skip
    write_article(news, "pm.txt", "Prime minister in Kent", "20240302", "https://uk.test/b",
                  "Prime Minister Boris Johnson visited Kent on Saturday to open a hospital wing.",
                  "He also said a disused course nearby would become a public park.")  # fmt: skip
    archive.ingest([news])
    question = "What did Boris Johnson announce about a golf course?"
    words_alone = archive.tuned(fusion_name_weight=0.0).search(question, k=2)
    assert words_alone[0].title == "Johnson announces a new golf course"  # the golfer's words
    named = archive.tuned(fusion_name_weight=0.5).search(question, k=2)
    assert [h.title for h in named] == ["Prime minister in Kent",
                                        "Johnson announces a new golf course"]  # fmt: skip


def test_with_the_names_rule_a_who_answer_is_a_name_spacy_found(archive, tmp_path: Path):
    news = tmp_path / "news"
    write_article(news, "a.txt", "Valdora Rovers still looking for a coach", "20240301",
                  "https://n.test/a",
                  "Experts said on the Internet that the Valdora Rovers will name a coach "
                  "for next season soon.")  # fmt: skip
    write_article(news, "b.txt", "Rovers name new coach", "20240302", "https://n.test/b",
                  "Maria Lopez agreed terms with the club on Friday, the Rovers said.")  # fmt: skip
    archive.ingest([news])
    question = "Who will coach the Valdora Rovers next season?"
    reading = archive.read(question, question)

    def ranks(names: bool) -> dict[str, float]:
        ranked = rank_sentences(question, list(reading.hits[: reading.k]),
                                list(reading.sentences), AnswerWeights(names=names))  # fmt: skip
        return {s.text.split()[0]: s.rank for s in ranked if not s.in_title}

    words, names = ranks(False), ranks(True)
    assert names["Experts"] < words["Experts"]  # "Experts", "Internet": no names spaCy found
    assert names["Maria"] > words["Maria"]  # Maria Lopez is one: now the answer most offered


def test_a_which_airline_answer_leads_with_the_sentence_naming_an_airline(archive, tmp_path):
    write_article(tmp_path / "news", "a.txt", "Spirit Airlines to be sold", "20220728",
                  "https://n.test/a",
                  "Spirit Airlines agreed on Monday to be bought by a rival, the Miami carrier "
                  "said.",
                  "The buyer, JetBlue Airways, agreed to pay 3.8 billion dollars for Spirit "
                  "Airlines.")  # fmt: skip
    archive.ingest([tmp_path / "news"])
    question, day = "Which airline agreed to buy Spirit Airlines this week?", dt.date(2022, 7, 29)
    answer = archive.ask(question, as_of=day)
    assert answer.text.startswith("“The buyer, JetBlue Airways")  # spaCy: an organisation
    untyped = archive.tuned(answer_weights=AnswerWeights(typed=0)).ask(question, as_of=day)
    assert untyped.text.startswith("“Spirit Airlines agreed")  # restates it, names a city
