"""Search on both databases: ranking, snippets, hostile queries, staying in step with files."""
import pytest

from tests.kb_helpers import article, write


@pytest.fixture
def reader(app, login):
    app.config["KB_SYNC_SECONDS"] = 0
    return login("manager")


def test_typing_rag_finds_the_status_reporting_standard_first(client, reader):
    response = client.get("/kb/search?q=RAG")
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert text.index("Status reporting") < text.index("</ol>")
    assert "<mark>RAG</mark>" in text


def test_prefix_matches_as_you_type(client, reader):
    assert "Risk management" in client.get("/kb/search?q=scor").get_data(as_text=True)


def test_htmx_gets_only_the_results(hx, reader):
    response = hx.get("/kb/search?q=sponsor")
    text = response.get_data(as_text=True)
    assert "<html" not in text and "Basics" in text
    assert "HX-Request" in response.headers.get("Vary", "")


def test_non_ascii_words_are_found(client, reader):
    assert "Qualitätssicherung" in client.get("/kb/search?q=Qualität").get_data(as_text=True)


@pytest.mark.parametrize("query", ['"', '""', "'", 'NEAR(', 'NEAR("a" "b", 2)', "*", "a OR", "OR", "AND NOT",
                                   "^title", "title:", "(", ")", "-", "rag*", "%", "\\", "🙂",
                                   "x" * 10_000, "status " * 2000, "<script>alert(1)</script>",
                                   "'; DROP TABLE article; --", "a & b | !c", "rag:*", "{}[]"])
def test_any_query_text_is_safe(client, reader, query):
    response = client.get("/kb/search", query_string={"q": query})
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in response.get_data(as_text=True)


def test_a_nul_character_gets_a_clear_400(client, reader):
    response = client.get("/kb/search", query_string={"q": "rag\x00"})
    assert response.status_code == 400 and "NUL character" in response.get_data(as_text=True)


def test_hostile_query_shows_no_results_message(client, reader):
    text = client.get("/kb/search", query_string={"q": 'NEAR("x'}).get_data(as_text=True)
    assert "No results" in text


def test_snippets_escape_article_text(app, client, reader):
    write(app, "faq/tricky.md", "---\ntitle: Tricky\n---\n\nzebracorn <img src=x onerror=alert(1)> zebracorn\n")
    text = client.get("/kb/search?q=zebracorn").get_data(as_text=True)
    assert "<mark>zebracorn</mark>" in text
    # Snippets are the article's plain text: the HTML is dropped, never shown as markup or run.
    assert "<img src=x" not in text and "onerror" not in text


def test_a_changed_file_is_reindexed(app, client, reader):
    assert "No results" in client.get("/kb/search?q=quokka").get_data(as_text=True)
    write(app, "faq/malformed.md", "# Broken header article\n\nNow about quokkas.\n")
    assert "Broken header article" in client.get("/kb/search?q=quokka").get_data(as_text=True)


def test_a_removed_file_leaves_the_index(app, client, reader):
    client.get("/kb/")
    (app.config["KNOWLEDGE_DIR"] and __import__("pathlib").Path(app.config["KNOWLEDGE_DIR"]) / "faq/malformed.md").unlink()
    assert "No results" in client.get("/kb/search?q=widgets").get_data(as_text=True)
    assert client.get("/kb/faq/malformed").status_code == 404


def test_a_saved_article_is_searchable_at_once(app, client, login):
    app.config["KB_SYNC_SECONDS"] = 0
    login("pmo")
    client.get("/kb/")
    a = article("standards", "risk")
    response = client.post(f"/kb/article/{a.id}/edit", data={"text": a.text + "\nPlatypus clause.\n",
                                                              "version": a.version, "message": "add"})
    assert response.status_code == 303
    assert "Risk management" in client.get("/kb/search?q=platypus").get_data(as_text=True)


def test_reindex_rebuilds_the_index(app, reader, client):
    from portal.kb.search import clear_index, search
    from portal.kb.services import reindex_all
    client.get("/kb/")
    with app.test_request_context():
        clear_index()
        assert search("RAG") == []
        assert reindex_all() >= 8
        assert search("RAG")[0].article.title == "Status reporting"


def test_search_needs_sign_in(client):
    response = client.get("/kb/search?q=RAG")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
