"""Timelines on a real archive: the days a story's events happened, in order, each entry an
exact quote of an article sentence with its citation; the command line's JSON."""

from __future__ import annotations

import json

from rag.cli import run as cli
from tests.conftest import write_article

# A dam failing over a week, told by three outlets; publication days differ from event days.
DAM = [
    (
        "a.txt",
        "Cracks found in the Korvel dam",
        "20240507",
        "https://valley.test/cracks",
        [
            "Engineers found deep cracks in the Korvel dam on Monday after a week of heavy rain.",
            "The regional water board said the cracks ran along the dam's eastern wall.",
            "Residents of three villages below the Korvel dam were told to prepare to leave.",
        ],
    ),
    (
        "b.txt",
        "Villages evacuated below the Korvel dam",
        "20240509",
        "https://news.test/evac",
        [
            "About 4,000 people were evacuated from villages below the Korvel dam on Wednesday.",
            "Engineers began releasing reservoir water to ease pressure on the cracked dam.",
            "The cracks were found on Monday during a routine inspection, the water board said.",
        ],
    ),
    (
        "c.txt",
        "Korvel dam partly collapses",
        "20240514",
        "https://wire.test/collapse",
        [
            "Part of the Korvel dam's eastern wall collapsed on May 13, flooding empty villages.",
            "No one was hurt because the villages had been evacuated on Wednesday last week.",
            "The water board said on Tuesday that the rest of the dam was holding.",
        ],
    ),
    (
        "d.txt",
        "Korvel flood: what we know",
        "20240515",
        "https://daily.test/korvel",
        [
            "The eastern wall of the Korvel dam gave way on Monday, May 13, the board confirmed.",
            "Cracks had first been reported on May 6 and 4,000 residents left on May 8.",
        ],
    ),
]


def _dam_archive(archive, folder):
    for name, title, date, url, paras in DAM:
        write_article(folder, name, title, date, url, *paras)
    archive.ingest([folder])


def test_a_timeline_gives_the_event_days_in_order_with_exact_quotes(archive, tmp_path):
    _dam_archive(archive, tmp_path / "news")
    made = archive.timeline("the Korvel dam", dates=3, per_date=1)
    assert [e.date for e in made.entries] == ["2024-05-06", "2024-05-08", "2024-05-13"]
    texts = {d.doc_id: archive.document(d.doc_id)[1] for d in archive.documents()}
    for entry in made.entries:
        assert len(entry.citations) == 1
        for c in entry.citations:
            assert texts[c.doc_id][c.start : c.end] == c.quote  # an exact, located quote
    words = [e.summary[0].lower() for e in made.entries]
    assert "crack" in words[0] and "evacuated" in words[1] and "collapsed" in words[2]
    # coverage: how many articles on the topic appeared each day
    assert dict(made.coverage) == {"2024-05-07": 1, "2024-05-09": 1, "2024-05-14": 1,
                                   "2024-05-15": 1}  # fmt: skip


def test_a_timeline_keeps_to_its_dates_and_its_numbers_are_per_article(archive, tmp_path):
    _dam_archive(archive, tmp_path / "news")
    import datetime as dt

    made = archive.timeline("the Korvel dam", since=dt.date(2024, 5, 8), per_date=2)
    assert made.entries and all(e.date >= "2024-05-08" for e in made.entries)
    numbers = {}
    for e in made.entries:
        for c in e.citations:
            assert numbers.setdefault(c.doc_id, c.n) == c.n  # one number per article
    assert sorted(set(numbers.values())) == list(range(1, len(numbers) + 1))


def test_timeline_json_shape(archive, tmp_path, capsys):
    _dam_archive(archive, tmp_path / "news")
    capsys.readouterr()
    data = str(archive.settings.data_dir)
    assert cli(["--data-dir", data, "timeline", "the Korvel dam", "--dates", "2", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["query"] == "the Korvel dam" and len(out["entries"]) == 2
    for entry in out["entries"]:
        assert set(entry) == {"date", "summary", "citations"}
        assert [c["quote"] for c in entry["citations"]] == entry["summary"]
        fields = {"n", "doc_id", "title", "date", "url", "source", "chunk_id", "quote", "start",
                  "end"}  # fmt: skip
        assert all(set(c) == fields for c in entry["citations"])
    assert sum(row["articles"] for row in out["coverage"]) == 4
    assert cli(["--data-dir", data, "timeline", "the Korvel dam"]) == 0
    text = capsys.readouterr().out
    assert "13 May 2024" in text and "Sources:" in text
    assert cli(["--data-dir", data, "timeline", "  "]) == 1
    assert "error:" in capsys.readouterr().err


def test_a_day_named_by_fewer_sentences_than_asked_is_filled_from_its_reports(archive, tmp_path):
    # Published on Tuesday 5 March: one sentence names Monday, the others name no day.
    paras = [
        "The Talon bridge was closed to all traffic on Monday after inspectors found rust.",
        "Inspectors said the steel supports under the Talon bridge had rusted through.",
        "Commuters who use the Talon bridge face a long detour, the city said.",
    ]
    write_article(tmp_path / "news", "bridge.txt", "Talon bridge shut", "20240305",
                  "https://city.test/talon", *paras)  # fmt: skip
    archive.ingest([tmp_path / "news"])
    made = archive.timeline("the Talon bridge", dates=1, per_date=2)
    [entry] = made.entries
    assert entry.date == "2024-03-04"
    assert len(entry.summary) == 2 and "on Monday" in entry.summary[0]
    text = archive.document(archive.documents()[0].doc_id)[1]
    assert all(text[c.start : c.end] == c.quote for c in entry.citations)


def test_a_timeline_told_on_given_days_says_what_happened_on_each(archive, tmp_path):
    import datetime as dt

    _dam_archive(archive, tmp_path / "news")
    made = archive.timeline("the Korvel dam", per_date=1, days=[dt.date(2024, 5, 8)])
    assert [e.date for e in made.entries] == ["2024-05-08"]
    assert "evacuated" in made.entries[0].summary[0] or "left" in made.entries[0].summary[0]


def test_a_timeline_asked_for_nonsense_says_what_is_wrong(archive, tmp_path, capsys):
    _dam_archive(archive, tmp_path / "news")
    capsys.readouterr()
    data = str(archive.settings.data_dir)
    for args, problem in (
        (["--dates", "0"], "number of dates must be 1 to 366"),
        (["--dates", "-3"], "number of dates must be 1 to 366"),
        (["--per-date", "0"], "sentences per date must be 1 to 10"),
        (["--since", "2024-05-10", "--until", "2024-05-01"], "starts on 10 May 2024, after it"),
    ):
        assert cli(["--data-dir", data, "timeline", "the Korvel dam", *args]) == 1
        assert problem in capsys.readouterr().err


# Other news of the same week: a digest with one item on the dam, a report on something else
# carrying a photo of the dam (its caption credited), a TV item on the series "Wednesday".
ELSEWHERE = [
    (
        "digest.txt",
        "5 things to know for May 10: Budget, Football, Korvel dam, Weather, Music",
        "20240510",
        "https://daily.test/five-things",
        [
            "Budget: The city council approved the new transit budget on Thursday after a vote.",
            "The plan adds night buses on four routes and freezes fares until next spring.",
            "Opponents said the budget leans too heavily on a rise in parking fees.",
            "Football: The Riverside Rovers beat the Harbor Kings 3-1 on Wednesday night.",
            "Their striker scored twice in the second half in front of a sold-out stadium.",
            "The win lifts the Rovers to second place with five games left in the season.",
            "Korvel dam: About 4,000 people left villages below the cracked dam on Wednesday.",
            "Buses took families to schools and sports halls in the valley towns.",
            "Engineers are releasing water from the reservoir to take pressure off the wall.",
            "Weather: Forecasters expect a warm and sunny weekend across the region on Saturday.",
            "Temperatures could reach the high twenties, the warmest days of the year so far.",
            "Pollen counts will be high, and people with asthma are advised to carry inhalers.",
            "Music: The Lanterns announced a summer tour of twenty cities on Tuesday.",
            "Tickets go on sale next week, with the first show at the harbor arena in July.",
            "The band's last album topped the national charts for six weeks.",
        ],
    ),
    (
        "festival.txt",
        "Spring festival draws record crowds to the old harbor",
        "20240512",
        "https://city.test/festival",
        [
            "A record 60,000 visitors came to the spring festival at the old harbor on Saturday.",
            "Jane Okafor/AP Engineers inspect the cracked Korvel dam wall on Monday.",
            "Food stalls ran out of fried fish by early afternoon on Saturday, organisers said.",
            "The festival's fireworks show closed the weekend over the harbor on Sunday night.",
        ],
    ),
    (
        "tv.txt",
        "What to watch this week",
        "20240509",
        "https://tv.test/watch",
        [
            'Here\'s the first trailer for the new season of the series "Wednesday", out in June.',
            "The cooking contest returns on Friday with twelve new amateur chefs.",
            "A documentary on river dams and the towns below them airs on Sunday evening.",
        ],
    ),
]


def test_a_timeline_keeps_to_its_story_without_captions_digests_or_series_titles(archive, tmp_path):
    _dam_archive(archive, tmp_path / "news")
    for name, title, date, url, paras in ELSEWHERE:
        write_article(tmp_path / "news", name, title, date, url, *paras)
    archive.ingest([tmp_path / "news"])
    made = archive.timeline("timeline of the Korvel dam", per_date=3)
    cited = [(c.title, c.quote) for e in made.entries for c in e.citations]
    story = {title for _, title, *_ in DAM}
    others = [(t, q) for t, q in cited if t not in story]
    # the digest gives only its dam item; the festival's credited photo caption of the dam
    # and the TV page ("Wednesday" the series is not a day) give nothing
    assert cited and all(t.startswith("5 things") and q.startswith("Korvel dam:")
                         for t, q in others), others  # fmt: skip
    # the days are the story's: cracks found (6 May), evacuation (8 May), collapse (13 May)
    assert {"2024-05-06", "2024-05-08", "2024-05-13"} <= {e.date for e in made.entries}


def test_an_embedded_post_is_not_an_entry_though_it_names_the_story_and_a_day(archive, tmp_path):
    _dam_archive(archive, tmp_path / "news")
    write_article(
        tmp_path / "news", "e.txt", "Korvel dam: the water board's photos of the wall", "20240512",
        "https://valley.test/photos",
        "The water board posted photos of the cracked Korvel dam wall on Saturday.",
        "As @KorvelWater drains the #Korvel reservoir, crews inspected the dam wall on Friday."
        " Engineers are watching the cracks. pic.twitter.com/K0rvel42 — Korvel Water Board"
        " (@KorvelWater) May 10, 2024",
        "The board said on Saturday that the Korvel dam reservoir was a third lower.",
    )  # fmt: skip
    archive.ingest([tmp_path / "news"])
    made = archive.timeline("timeline of the Korvel dam", per_date=10)
    quotes = [c.quote for e in made.entries for c in e.citations]
    assert any("posted photos of the cracked Korvel dam" in q for q in quotes)  # the article's
    assert not any("@KorvelWater" in q or "Engineers are watching" in q for q in quotes), quotes


def test_a_quoted_sentence_is_shown_in_its_own_quotation_marks(archive, tmp_path, capsys):
    _dam_archive(archive, tmp_path / "news")
    write_article(
        tmp_path / "news", "f.txt", "Engineer warns about the Korvel dam", "20240508",
        "https://valley.test/warning",
        "“The Korvel dam wall will not hold another week,” the board's engineer said on Monday.",
        "Engineers at the Korvel dam measured the cracks again on Tuesday.",
    )  # fmt: skip
    archive.ingest([tmp_path / "news"])
    data = str(archive.settings.data_dir)
    capsys.readouterr()
    asked = ["timeline", "timeline of the Korvel dam", "--per-date", "10"]
    assert cli(["--data-dir", data, *asked]) == 0
    text = capsys.readouterr().out
    assert "  “The Korvel dam wall will not hold another week,” the board's engineer" in text
    assert "““" not in text and "  “Engineers at the Korvel dam measured" in text
