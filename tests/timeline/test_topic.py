"""What a timeline may not take: photo credits and captions (credited, or told in the
present tense), bylines, embedded posts, video boxes and links, known by their shape; which
texts name a topic, and which articles are about it."""

from __future__ import annotations

import numpy as np
import pytest

from rag.index.vectors import Sentences
from rag.text.topic import Topic
from rag.timeline.topic import Captions, on_topic, pictured

CREDITS = [
    "Thom Baur/Reuters A satellite view of the Artemis I spacecraft on August 25.",
    "Timothy A. Clary/AFP/Getty Image Williams and her sister played doubles on Thursday.",
    "Joe Raedle/Getty Images NASA's Artemis I rocket rolls back on Tuesday.",
    "Martha Asencio-Rhine/Tampa Bay Times via ZUMA Press Wire Sarah Peterson fills sandbags.",
    "NASA via AP Waves kick up along the shore of Batabano on Monday.",
    "/Orlando Sentinel via AP A man carries his children through rain and debris.",
    "Maxar Technologies The rocket sits at Kennedy Space Center's Launch Pad 39B.",
    "Eric Lagatta covers breaking and trending news for USA TODAY.",
    "pic.twitter.com/Pzk3PDt7sd — NASA Artemis (@NASAArtemis) November 16, 2022",
    "Video Ad Feedback 04:00 - Source: CNN Report reveals officers' missed opportunities",
    "RELATED: The big numbers from the Mar-a-Lago search",
]
PROSE = [
    "Gulf Shores/Orange Beach claims about 6.9 million visitors a year.",
    "A Des Moines Register/Mediacom Iowa Poll finds Reynolds at 52% support.",
    "The Defense POW/MIA Accounting Agency said the remains were identified.",
    "He travelled via Poland On Monday, officials said.",
    "Reuters reported on Tuesday that warplanes flew close to the median line.",
]


@pytest.mark.parametrize("sentence", CREDITS)
def test_credits_captions_bylines_and_embeds_are_known_by_their_shape(sentence):
    assert Captions([])("doc", sentence)


@pytest.mark.parametrize("sentence", PROSE)
def test_prose_with_slashes_or_agency_names_stays(sentence):
    assert not Captions([])("doc", sentence)


def test_an_unknown_agency_is_a_credit_once_it_credits_pictures_in_other_articles():
    caption = "Lena Marsh/Harbor Light Images Crowds gather at the pier on Sunday."
    alone = Captions([("a", caption)])
    assert not alone("a", caption)
    others = [(d, f"Sam Ortiz/Harbor Light Images Boats leave port {d}.") for d in "bc"]
    assert Captions([("a", caption), *others])("a", caption)


def test_a_text_names_a_topic_with_most_of_its_words_by_rarity():
    topic = Topic({"nancy": 5.3, "pelosi": 5.1, "visit": 3.9, "taiwan": 5.8})
    assert topic.names("Pelosi landed in Taiwan on Tuesday.")
    assert not topic.names("Biden said the US would defend Taiwan.")
    assert not topic.names("Her visit to Taiwan was the first in 25 years.")  # no Pelosi
    syria = Topic({"uprising": 4.0, "syria": 5.0})
    assert syria.names("Syrian forces fired on protesters in Deraa.")  # a prefix: Syrian
    assert not syria.names("The uprising in Libya spread to Benghazi.")
    assert Topic({}).names("anything")  # no query word in the archive: meaning alone decides


PICTURES = [
    "A couple walks past damage from Hurricane Ian on Litchfield Beach on October 1, 2022.",
    "This aerial view shows the destruction left in the wake of Hurricane Ian on October 2.",
    "A home lies in ruins Monday in the wake of Hurricane Ian in Fort Myers Beach.",
    "People hug near the scene of the mass shooting at the Tops Friendly Markets store Saturday.",
    "Emergency personnel respond to a shooting at the Forum shopping center on Sunday.",
    "The Artemis I rocket stack can be seen at sunrise on March 23 at Kennedy Space Center.",
]
TOLD = [
    "Hurricane Ian made landfall in Florida as a Category 4 hurricane Wednesday afternoon.",
    "Forecasters expect a warm and sunny weekend across the region on Saturday.",
    "Biden says he will visit Florida on Wednesday.",
    "June 17 - The FDA expands the emergency use authorizations to children as young as 6 months.",
    "On September 30, Hurricane Ian makes landfall near Georgetown, South Carolina.",
    "He walks to the courthouse every morning, his lawyer said on Monday.",
    "The rocket is on the launch pad on Tuesday.",
    "The city has a curfew on Monday.",
    "China denies the report on Tuesday.",
]


@pytest.mark.parametrize("sentence", PICTURES)
def test_an_uncredited_photo_caption_is_known_by_its_present_tense(sentence):
    assert pictured(sentence)


@pytest.mark.parametrize("sentence", TOLD)
def test_news_told_in_the_past_or_a_chronology_is_not_a_caption(sentence):
    assert not pictured(sentence)


def _article(named: int, total: int, near: int) -> Sentences:
    texts = ["The Korvel dam cracked."] * named + ["Water rose."] * (total - named)
    return Sentences(texts, np.array([0.8] * near + [0.1] * (total - near)))


def test_an_article_is_about_the_story_when_it_names_it_as_often_as_the_best_reports():
    topic = Topic({"korvel": 6.0, "dam": 4.0})
    # the best reports name the dam in few of their sentences (one story's archive: the
    # story's words are everywhere, so few sentences hold all of them); a digest names it
    # once among many items
    articles = {"lead": _article(3, 30, 20), "report": _article(2, 30, 12),
                "digest": _article(1, 90, 30)}  # fmt: skip
    docs = ["lead"] * 10 + ["report", "digest", "digest"]
    texts = ["Water rose."] * 10 + ["Water rose.", "Water rose.", "The Korvel dam cracked."]
    relevance = np.array([0.8] * 10 + [0.7, 0.7, 0.7])
    keep = on_topic(docs, texts, relevance, articles, topic, Captions([]))
    assert keep[:11].all()  # the report is about the dam though a tenth of it names it
    assert list(keep[11:]) == [False, True]  # the digest gives only its item on the dam
