"""What a timeline may not take: photo credits and captions, bylines, embedded posts, video
boxes and links, known by their shape; and which texts name a topic."""

from __future__ import annotations

import pytest

from rag.timeline.topic import Captions, Topic

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
