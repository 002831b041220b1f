"""Search as you type: half-typed words find their articles, snippets are plain text, history is not flooded."""
import pytest

from tests.kb_helpers import write

ARTICLE = """---
title: Escalation paths
summary: Who hears about a red project, and when.
tags: [governance]
owner: PMO Lead
version: 1
review_by: 2030-01-01
---

# When to escalate

A **red** status needs an *escalation* to the sponsor within two days, with the table below.

| mitigation | owner |
|---|---|
| plan B | sponsor |

Use the [risk standard](risk.md) for `mitigations` and <b>never</b> skip it.
"""


@pytest.fixture
def reader(app, login):
    app.config["KB_SYNC_SECONDS"] = 0
    write(app, "standards/escalation.md", ARTICLE)
    return login("member")


@pytest.mark.parametrize("typed", ["e", "es", "esc", "escal", "escala", "escalat", "escalati", "escalation",
                                   "mitig", "mitigat", "mitigatio", "red escala", "Escalat"])
def test_each_keystroke_of_a_word_finds_the_article(client, reader, typed):
    text = client.get("/kb/search", query_string={"q": typed}).get_data(as_text=True)
    assert "Escalation paths" in text, typed
    assert "No results" not in text


def test_whole_words_still_match_their_other_forms(client, reader):
    assert "Escalation paths" in client.get("/kb/search?q=escalated").get_data(as_text=True)


def test_snippets_are_plain_text_with_the_match_marked(client, reader):
    text = client.get("/kb/search?q=escala").get_data(as_text=True)
    start = text.index("Escalation paths")
    hit = text[start:text.index("</li>", start)]
    assert "<mark>" in hit.lower()
    for markdown in ("**", "](", "|---|", "`", "&lt;b&gt;"):
        assert markdown not in hit, markdown


def test_hostile_text_in_an_article_stays_escaped_in_its_snippet(app, client, reader):
    write(app, "faq/hostile.md", ARTICLE.replace("Escalation paths", "Hostile")
          .replace("never", "<script>alert(1)</script> never"))
    text = client.get("/kb/search?q=hostile").get_data(as_text=True)
    assert "<script>alert(1)" not in text


def test_the_search_box_replaces_the_address_instead_of_adding_history(client, reader):
    text = client.get("/kb/").get_data(as_text=True)
    assert 'hx-replace-url="true"' in text and "hx-push-url" not in text.split('class="kb-search"', 1)[1][:600]
