"""Offline answers: what is quoted, in which order, and how time is stated."""

from __future__ import annotations

import datetime as dt

from rag.pipeline import Archive
from rag.render import answer_markdown
from rag.shapes import answer_json
from tests.conftest import write_article


def test_a_headline_is_quoted_when_only_it_holds_the_answer(archive: Archive, tmp_path):
    write_article(
        tmp_path / "a", "brandt.txt", "Merrowby names Ilse Brandt new harbour master",
        "20240305", "https://news.test/brandt",
        "The town council of Merrowby chose its new harbour master on Tuesday.",
        "The new harbour master starts in April and will oversee the lighthouse restoration.",
    )  # fmt: skip
    archive.ingest([tmp_path / "a"])
    answer = archive.ask("Who did Merrowby choose as its new harbour master?")
    titles = [c for c in answer.citations if c.in_title]
    assert titles and titles[0].quote == "Merrowby names Ilse Brandt new harbour master"
    assert "Headline: “Merrowby names Ilse Brandt" in answer.text


def test_an_open_question_leads_with_the_latest_development_then_dated_context(
    archive: Archive, tmp_path
):
    folder = tmp_path / "b"
    old = "The port of Valdora remained closed on Wednesday as the dock strike went on."
    new = "The port of Valdora reopened on Monday after the dock strike ended."
    write_article(folder, "old.txt", "Valdora stays shut", "20220601", "https://news.test/o", old)
    write_article(folder, "new.txt", "Valdora reopens", "20220612", "https://news.test/n", new)
    archive.ingest([folder])
    answer = archive.ask("Is the port of Valdora open after the dock strike?")
    lead, more = answer.text.split("\n\n", 1)
    assert lead == f"“{new}” [1] (news.test, 12 June 2022)"
    assert f"- 1 June 2022: “{old}” [2]" in more
    assert [c.date for c in answer.citations] == ["2022-06-12", "2022-06-01"]


def test_citations_are_numbered_per_article_and_listed_once(archive: Archive, tmp_path):
    folder = tmp_path / "c"
    write_article(
        folder, "budget.txt", "Carrowmore passes its harbour budget", "20230410",
        "https://news.test/budget",
        "Carrowmore's council passed the harbour budget on Monday.",
        "The harbour budget sets aside 4 million euros for the new breakwater.",
        "Councillors said the breakwater budget would protect the harbour fleet.",
    )  # fmt: skip
    archive.ingest([folder])
    answer = archive.ask("What does the Carrowmore harbour budget pay for?")
    assert len(answer.citations) >= 2, answer.text
    assert {c.n for c in answer.citations} == {1}  # one article, one number
    assert "[2]" not in answer.text
    (only,) = answer.sources()
    assert len(only) == len(answer.citations)
    body = answer_json(answer)
    assert len(body["citations"]) == 1
    quotes = body["citations"][0]["quotes"]
    assert [q["quote"] for q in quotes] == [c.quote for c in answer.citations]
    assert answer_markdown(answer).count("https://news.test/budget") == 1


def test_page_furniture_is_never_quoted_but_stays_in_the_text(archive: Archive, tmp_path):
    folder = tmp_path / "d"
    caption = "Sign up for the Harbour Weekly newsletter to get the latest port news of the day."
    towns = ["Merrowby", "Valdora", "Carrowmore", "Ballyglass"]
    for i, town in enumerate(towns):
        write_article(
            folder, f"{town}.txt", f"{town} harbour news", f"2023041{i}",
            f"https://news.test/{town.lower()}",
            f"{town} opened a new ferry terminal for the port on Friday.",
            f"The terminal in {town} cost {i + 2} million euros to build.", caption,
            f"Ferries from {town} will sail twice a day from {i + 5} May.",
        )  # fmt: skip
    archive.ingest([folder])
    answer = archive.ask("What is the latest port news newsletter of the day?")
    assert all(c.quote != caption for c in answer.citations), answer.text
    # an archive stored before furniture keys gets them once, when a writer next runs
    with archive.manifest.db as db:
        db.execute("DELETE FROM sentence_keys")
        db.execute("DELETE FROM meta WHERE key='sentence_keys_complete'")
    assert any(c.quote == caption for c in archive.ask(caption).citations)
    archive.warm_up()
    assert archive.manifest.keys.complete and not archive.manifest.keys.missing()
    answer = archive.ask("What is the latest port news newsletter of the day?")
    assert all(c.quote != caption for c in answer.citations), answer.text
    info, text = archive.document(archive.documents()[0].doc_id)
    assert caption in text
    # a sentence only one article holds is quoted as before
    answer = archive.ask("Which town opened a new ferry terminal for the port?")
    assert not answer.abstained and "ferry terminal" in answer.citations[0].quote


def test_a_wire_story_many_outlets_run_is_quoted_while_a_line_on_many_stories_is_not(
    archive: Archive, tmp_path
):
    folder = tmp_path / "wire"
    wire = (
        "The Merrow river burst its banks on Tuesday, flooding 340 homes in Valdora.",
        "Emergency crews moved 1,200 residents to schools on higher ground overnight.",
        "The regional council said repairs to the flood wall would take six weeks.",
    )
    for i in range(12):  # one agency's report, word for word on twelve sites
        write_article(folder, f"wire{i}.txt", "Merrow river floods Valdora", "20230412",
                      f"https://outlet{i}.test/flood", *wire)  # fmt: skip
    signup = "Sign up for the Morning Brief to get the top stories of the day in your inbox."
    towns = ["Merrowby", "Carrowmore", "Ballyglass", "Dunmore", "Kilbeg", "Rathlin",
             "Glenmore", "Ardee", "Clonmel", "Kinvara", "Lismore", "Tully"]  # fmt: skip
    for i, town in enumerate(towns):
        write_article(folder, f"{town}.txt", f"{town} council news", f"202303{i + 10}",
                      f"https://outlet{i}.test/{town.lower()}",
                      f"The {town} council voted {i + 4} to 3 to build a new library.", signup,
                      f"Work on the {town} library starts in {i + 2} months.")  # fmt: skip
    archive.ingest([folder])
    answer = archive.ask("How many homes did the Merrow river flood in Valdora?")
    assert not answer.abstained and "340 homes" in answer.citations[0].quote, answer.text
    inbox = archive.ask("How do I get the Morning Brief top stories in my inbox?")
    assert all(c.quote != signup for c in inbox.citations), inbox.text


def test_a_question_about_a_period_with_no_reports_is_refused_with_the_reason(
    archive: Archive, tmp_path
):
    folder = tmp_path / "e"
    write_article(
        folder, "march.txt", "Patriot Front marches in Boston", "20220702",
        "https://news.test/march",
        "Members of the white nationalist group Patriot Front marched through Boston on Saturday.",
    )  # fmt: skip
    archive.ingest([folder])
    question = "Which city did Patriot Front march through this week?"
    answer = archive.ask(question, as_of=dt.date(2022, 5, 20))  # six weeks before
    assert answer.abstained and answer.out_of_scope and not answer.citations
    assert "nothing published from 13 to 20 May 2022 mentions Patriot Front" in answer.text
    closest = archive.ask(question, as_of=dt.date(2022, 5, 20), closest=True)
    assert closest.abstained  # nothing published by then at all: as of 20 May it is unknown
    answer = archive.ask(question, as_of=dt.date(2022, 7, 5))  # the week it happened
    assert not answer.abstained and "Boston" in answer.citations[0].quote


def test_a_question_about_this_week_is_answered_from_this_weeks_reports(archive, tmp_path):
    folder = tmp_path / "pm"
    write_article(folder, "july.txt", "Prime minister of Valdora resigns", "20220707",
                  "https://news.test/july",
                  "The prime minister of Valdora resigned on Thursday after a series of scandals.",
                  "His party will choose a successor over the summer.")  # fmt: skip
    write_article(folder, "sept.txt", "Kessel's prime minister steps down", "20220907",
                  "https://news.test/sept",
                  "Kessel's prime minister announced his resignation on Wednesday after losing "
                  "a confidence vote.",
                  "Elections are expected in November.")  # fmt: skip
    archive.ingest([folder])
    answer = archive.ask("Which country saw its prime minister resign this week?",
                         as_of=dt.date(2022, 9, 8))  # fmt: skip
    assert answer.citations[0].quote.startswith("Kessel's prime minister announced")
    assert {c.date for c in answer.citations} == {"2022-09-07"}  # not July's resignation


def test_a_question_about_an_earlier_month_is_answered_by_a_later_report(
    archive: Archive, tmp_path
):
    folder = tmp_path / "g"
    write_article(
        folder, "gas.txt", "Gas prices fall for a 50th day", "20220803", "https://news.test/gas",
        "The national average price of gas set a record high of $5.02 a gallon in June.",
        "Prices have been falling for more than 50 days since that June peak, AAA said.",
    )  # fmt: skip
    archive.ingest([folder])
    question = "What was the record high average price for a gallon of gas, set in June?"
    answer = archive.ask(question, as_of=dt.date(2022, 8, 4))  # reported after June
    assert not answer.abstained, answer.text
    assert "$5.02" in answer.citations[0].quote
    early = archive.ask(question, as_of=dt.date(2022, 5, 20))  # before June: unknown
    assert early.abstained


def test_a_forecast_for_a_year_is_answered_by_the_forecast_made_before_it(
    archive: Archive, tmp_path
):
    folder = tmp_path / "f"
    write_article(
        folder, "outlook.txt", "Gas prices in 2023: the outlook", "20221227",
        "https://news.test/outlook",
        "Gas prices are expected to climb above $4 a gallon in 2023, price tracker Fuelwatch "
        "said in its annual outlook.",
    )  # fmt: skip
    write_article(
        folder, "april.txt", "Spring travel begins", "20230410", "https://news.test/april",
        "Airlines expect a busy spring as travel demand stays strong in 2023.",
    )  # fmt: skip
    archive.ingest([folder])
    question = "According to Fuelwatch, how high are gas prices expected to climb in 2023?"
    answer = archive.ask(question, as_of=dt.date(2023, 4, 28))  # months into the year
    assert not answer.abstained, answer.text
    assert "above $4" in answer.citations[0].quote


def test_an_offline_follow_up_is_read_from_the_previous_turn(archive: Archive, tmp_path):
    folder = tmp_path / "f"
    write_article(
        folder, "griner.txt", "Griner freed in prisoner swap", "20221208",
        "https://news.test/griner",
        "Brittney Griner was freed on Thursday in a prisoner swap with Russia.",
        "President Biden said Brittney Griner is safe and on her way home.",
    )  # fmt: skip
    write_article(
        folder, "poland.txt", "Biden visits Poland", "20221201", "https://news.test/poland",
        "President Biden said the alliance with Poland is stronger than ever.",
    )  # fmt: skip
    archive.ingest([folder])
    first = archive.ask("What happened to Brittney Griner?", offline=True)
    history = [(first.interpreted or first.question, first.text)]
    answer = archive.ask("and what did Biden say about it?", history=history, offline=True)
    assert answer.interpreted == "What did Biden say about Brittney Griner?"
    assert answer.question == "and what did Biden say about it?"
    assert "safe and on her way home" in answer.citations[0].quote


def test_an_article_gives_as_many_quotes_as_it_holds_distinct_facts(archive: Archive, tmp_path):
    folder = tmp_path / "h"
    write_article(
        folder, "plan.txt", "Carrowmore unveils its harbour plan", "20230410",
        "https://news.test/plan",
        "The Carrowmore harbour plan includes a new breakwater of 400 metres.",
        "Tourism in the county has grown every summer since the bypass opened.",
        "The Carrowmore harbour plan also includes a ferry terminal for Inishmore boats.",
        "Local schools will close early on Friday for the regatta.",
        "A fish market run by Orla Keane is part of the Carrowmore harbour plan.",
    )  # fmt: skip
    archive.ingest([folder])
    answer = archive.ask("What does the Carrowmore harbour plan include?")
    quotes = [c.quote for c in answer.citations]
    assert {c.n for c in answer.citations} == {1}, answer.text  # one article, one number
    for fact in ("400 metres", "Inishmore", "Orla Keane"):
        assert any(fact in q for q in quotes), (fact, answer.text)
    assert not any("regatta" in q or "bypass" in q for q in quotes)


def test_what_did_x_say_leads_with_xs_own_quoted_words(archive: Archive, tmp_path):
    folder = tmp_path / "s"
    write_article(
        folder, "brief.txt", "Summit talks stall", "20220110", "https://news.test/brief",
        "Secretary of State Antony Blinken met European ministers in Brussels on Tuesday.",
        "Russian officials said a summit on Ukraine could be held within weeks.",
        "“We are not going to negotiate over the heads of our partners,” Blinken said.",
        "“A summit without a pullback of troops makes no sense,” Sergei Ryabkov told reporters.",
    )  # fmt: skip
    archive.ingest([folder])
    answer = archive.ask("What did Blinken say about a summit?")
    first = answer.citations[0]
    assert first.speaker == "Antony Blinken" and first.cue == "said"
    assert first.quote.startswith("“We are not going to negotiate")
    assert answer.text.startswith("Antony Blinken said: “We are not going to negotiate")
    assert all(c.speaker == "Antony Blinken" for c in answer.citations)  # never Ryabkov's
    body = answer_json(answer)
    assert body["citations"][0]["quotes"][0]["speaker"] == "Antony Blinken"
    other = archive.ask("How did Ryabkov respond to the summit plan?")
    assert other.text.startswith("Sergei Ryabkov told reporters: “A summit without")


def test_when_x_said_nothing_about_y_the_answer_says_so_and_offers_what_x_said(
    archive: Archive, tmp_path
):
    folder = tmp_path / "n"
    write_article(
        folder, "nato.txt", "Blinken in Brussels", "20220110", "https://news.test/nato",
        "Secretary of State Antony Blinken met NATO ministers in Brussels on Tuesday.",
        "“The alliance has never been more united,” Blinken said.",
    )  # fmt: skip
    write_article(
        folder, "cup.txt", "World Cup draw in Doha", "20220401", "https://news.test/cup",
        "The draw for the football World Cup was held in Doha on Friday.",
        "Fans from 32 nations watched the draw, and reported speech of it was everywhere.",
    )  # fmt: skip
    write_article(
        folder, "grain.txt", "Grain deal talks", "20220301", "https://news.test/grain",
        "Antony Blinken said the grain deal would feed millions if ships could sail.",
    )  # fmt: skip
    archive.ingest([folder])
    answer = archive.ask("What did Blinken say about the World Cup?")
    assert answer.text.startswith(
        "The archive holds nothing Antony Blinken is quoted as saying about the World Cup."
    ), answer.text
    assert answer.citations and all(c.speaker == "Antony Blinken" for c in answer.citations)
    assert "never been more united" in answer.citations[0].quote
    # his words on it in an article the search did not read first still lead
    answer = archive.ask("What did Blinken say about the NATO alliance?")
    assert answer.text.startswith("Antony Blinken said: “The alliance"), answer.text
    # his reported speech on it is something he said: answered from that sentence
    answer = archive.ask("What did Blinken say about the grain deal?")
    assert "holds nothing" not in answer.text
    assert "grain deal would feed millions" in answer.citations[0].quote, answer.text


def test_what_x_said_this_week_is_what_they_said_this_week(archive: Archive, tmp_path):
    folder = tmp_path / "w"
    write_article(
        folder, "old.txt", "Harbour talks open", "20220301", "https://news.test/old",
        "“The harbour of Valdora will stay open all winter,” Mayor Ilse Brandt said.",
    )  # fmt: skip
    write_article(
        folder, "new.txt", "Harbour closes", "20220610", "https://news.test/new",
        "“The harbour of Valdora closes on Friday for repairs,” Mayor Ilse Brandt said.",
    )  # fmt: skip
    archive.ingest([folder])
    question = "What did Ilse Brandt say about the harbour of Valdora this week?"
    answer = archive.ask(question, as_of=dt.date(2022, 6, 11))
    assert answer.citations[0].speaker == "Ilse Brandt"
    assert all("closes on Friday" in c.quote for c in answer.citations), answer.text


def test_a_weeks_reports_that_name_the_people_but_not_the_event_do_not_answer(
    archive: Archive, tmp_path
):
    folder = tmp_path / "pelosi"
    write_article(folder, "tax.txt", "Pelosi cool to a gas tax holiday", "20220920",
                  "https://news.test/tax",
                  "House Speaker Nancy Pelosi said on Tuesday that she remains cool to the idea "
                  "of suspending the federal gas tax.",
                  "Nancy Pelosi's husband, Paul Pelosi, hosted a fundraiser on Tuesday.",
                  )  # fmt: skip
    for i, topic in enumerate(["the budget", "Taiwan", "the midterms", "inflation"]):
        write_article(folder, f"pelosi{i}.txt", f"Pelosi on {topic}", f"2022080{i + 1}",
                      f"https://news.test/pelosi{i}",
                      f"House Speaker Nancy Pelosi and her husband, Paul Pelosi, spoke about "
                      f"{topic} on Monday.")  # fmt: skip
    for i, (town, topic) in enumerate([("Merrowby", "library"), ("Carrowmore", "harbour"),
                                       ("Kilbeg", "school"), ("Ardee", "bridge")]):  # fmt: skip
        write_article(folder, f"{town}.txt", f"{town} council news", f"2022091{i}",
                      f"https://news.test/{town.lower()}",
                      f"The {town} council voted on Monday to build a new {topic} in the city.",
                      f"The House of Keys approved the {town} {topic} budget.")  # fmt: skip
    write_article(folder, "museum.txt", "Guard hurt in museum raid", "20220801",
                  "https://news.test/museum",
                  "A man attacked a guard during a violent break-in at the Kilbeg museum, where "
                  "two thefts occurred last year.")  # fmt: skip
    archive.ingest([folder])
    question = ("Nancy Pelosi's husband, Paul Pelosi, was attacked in a violent home break-in "
                "this week. In which city did the attack occur?")  # fmt: skip
    answer = archive.ask(question, as_of=dt.date(2022, 9, 22))
    assert answer.abstained and answer.out_of_scope and not answer.citations, answer.text
    assert (
        "published from 16 to 22 September 2022 on Nancy Pelosi, Paul Pelosi do not" in answer.text
    )
    assert "do not mention attacked" in answer.text and "break" in answer.text
    write_article(folder, "attack.txt", "Paul Pelosi attacked at home", "20221028",
                  "https://news.test/attack",
                  "Paul Pelosi was attacked with a hammer in a violent break-in at the couple's "
                  "San Francisco home early Friday, police said.")  # fmt: skip
    archive.ingest([folder])
    answer = archive.ask(question, as_of=dt.date(2022, 10, 29))
    assert not answer.abstained and "San Francisco" in answer.citations[0].quote, answer.text


def test_a_close_line_from_a_report_on_something_else_does_not_support_an_answer(
    archive: Archive, tmp_path
):
    folder = tmp_path / "flood"
    write_article(folder, "merrow.txt", "Merrow river floods Valdora", "20230305",
                  "https://news.test/merrow",
                  "The council counted 340 homes under water on Sunday.",
                  "Valdora's mayor said the Merrow river flood was the worst in decades.",
                  )  # fmt: skip
    write_article(folder, "fire.txt", "Old town fire remembered", "20221010",
                  "https://news.test/fire",
                  "A fire destroyed 120 homes in Valdora in 2019, the council said.")  # fmt: skip
    for i, (town, topic) in enumerate([("Merrowby", "library"), ("Carrowmore", "harbour"),
                                       ("Kilbeg", "school"), ("Ardee", "bridge")]):  # fmt: skip
        write_article(folder, f"{town}.txt", f"{town} council news", f"2023020{i + 1}",
                      f"https://news.test/{town.lower()}",
                      f"The {town} council voted on Monday to build a new {topic}.")  # fmt: skip
    archive.ingest([folder])
    answer = archive.ask("How many homes did the Merrow river flood in Valdora?")
    assert any("340 homes" in c.quote for c in answer.citations), answer.text
    # the fire of 2019 is close in meaning (homes, Valdora) but no report of the flood
    assert {c.source for c in answer.citations} == {"merrow.txt"}, answer.text


def test_a_sentence_that_asks_a_question_is_never_quoted_as_an_answer(archive: Archive, tmp_path):
    folder = tmp_path / "pumps"
    write_article(folder, "pumps.txt", "Self-service gas in Valdora", "20230305",
                  "https://news.test/pumps",
                  "So why does Valdora still ban drivers from pumping their own gas?",
                  "Valdora has banned self-service gas pumps since 1949 over fire safety fears.",
                  "Attendants must pump gas for every driver in the state.")  # fmt: skip
    archive.ingest([folder])
    answer = archive.ask("Why does Valdora ban drivers from pumping their own gas?")
    assert answer.citations and "since 1949" in answer.citations[0].quote, answer.text
    assert not any(c.quote.endswith("?") for c in answer.citations), answer.text
