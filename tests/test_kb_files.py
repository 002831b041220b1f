"""The knowledge folder stays in step with the portal: addresses that fit, files that match, nothing leaked."""
import pytest

from portal.kb import services
from portal.kb.models import Article, Revision
from tests.kb_helpers import article, kdir

NEW = "---\ntitle: Fresh page\n---\n\nHello.\n"


@pytest.fixture(autouse=True)
def _sync_every_request(app):
    app.config["KB_SYNC_SECONDS"] = 0


@pytest.mark.parametrize("section,slug,field", [
    ("faq", "a" * 300, "slug"),
    ("faq", "a" * 121, "slug"),
    ("s" * 61, "page", "section"),
    ("faq", "😀" * 60, "slug"),  # 60 characters, but 240 bytes: too long a file name
])
def test_an_address_too_long_for_a_file_is_refused_next_to_the_field(app, client, login, section, slug, field):
    login("pmo")
    client.get("/kb/")
    before = Article.select().count()
    response = client.post("/kb/new", data={"section": section, "slug": slug, "text": NEW})
    assert response.status_code == 422 and f'id="{field}-error"' in response.get_data(as_text=True)
    assert Article.select().count() == before


@pytest.mark.parametrize("section", ["files", "article", "reports", "search", "new", "reviews", "preview"])
def test_a_section_named_like_a_portal_page_is_refused(client, login, section):
    login("pmo")
    client.get("/kb/")
    response = client.post("/kb/new", data={"section": section, "slug": "x", "text": NEW})
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert 'id="section-error"' in body and "address of a portal page" in body
    assert not Article.select().where(Article.section == section).exists()


def test_a_top_level_article_cannot_hide_behind_a_portal_page_either(client, login):
    login("pmo")
    client.get("/kb/")
    response = client.post("/kb/new", data={"section": "general", "slug": "files/x", "text": NEW})
    assert response.status_code == 422 and 'id="slug-error"' in response.get_data(as_text=True)


def test_usual_sections_can_still_be_created(app, client, login):
    login("pmo")
    client.get("/kb/")
    assert client.post("/kb/new", data={"section": "training", "slug": "03-closing", "text": NEW}).status_code == 303
    assert client.get("/kb/training/03-closing").status_code == 200
    assert (kdir(app) / "training/03-closing.md").exists()


def test_moving_to_a_portal_page_address_is_refused(client, login):
    login("pmo")
    client.get("/kb/")
    a = article("faq", "malformed")
    response = client.post(f"/kb/article/{a.id}/move", data={"section": "search", "slug": "x", "version": a.version})
    assert response.status_code == 422 and 'id="section-error"' in response.get_data(as_text=True)
    assert article("faq", "malformed").path == "faq/malformed.md"


def test_a_file_that_cannot_be_written_is_reported_to_the_editor(app, client, login, monkeypatch):
    login("pmo")
    client.get("/kb/")

    def disk_full(path, text):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(services.files, "write_atomic", disk_full)
    response = client.post("/kb/new", data={"section": "faq", "slug": "full-disk", "text": NEW},
                           follow_redirects=True)
    body = response.get_data(as_text=True)
    assert "Created Fresh page" in body
    assert "Saved in the portal, but the file could not be written: No space left on device" in body
    a = article("faq", "full-disk")
    edited = client.post(f"/kb/article/{a.id}/edit", data={"text": NEW + "More.\n", "version": a.version},
                         follow_redirects=True)
    assert "the file could not be written" in edited.get_data(as_text=True)


def test_the_file_holds_the_newest_text_when_two_saves_finish_together(app, monkeypatch):
    editor = _editor()
    with app.test_request_context():
        services.sync_if_due(force=True)
        a = article("standards", "risk")
        base = a.text
        write_file, late = services._write_file, []

        def first_write_arrives_last(target):
            if not late:
                late.append(target)
                return None
            return write_file(target)

        monkeypatch.setattr(services, "_write_file", first_write_arrives_last)
        services.save_article(a, editor, a.version, base + "\nFirst save.\n", "first")
        b = article("standards", "risk")
        services.save_article(b, editor, b.version, base + "\nSecond save.\n", "second")
        write_file(late[0])  # the first save's file write, delayed past the second's
        on_disk = (kdir(app) / "standards/risk.md").read_text(encoding="utf-8")
        assert on_disk.endswith("Second save.\n")
        revisions = Revision.select().where(Revision.article == a.id).count()
        services.sync_if_due(force=True)  # a scan must not bring the older text back
        assert article("standards", "risk").text.endswith("Second save.\n")
        assert Revision.select().where(Revision.article == a.id).count() == revisions


def _editor():
    from tests.factories import make_user
    return make_user("pmo")


def test_quiz_answers_cannot_be_downloaded(client, login):
    login("member")
    client.get("/kb/")
    for url in ("/kb/files/training/01-basics.md", "/kb/files/training/01-basics.MD",
                "/kb/files/standards/risk.md"):
        assert client.get(url).status_code == 404, url
    assert client.get("/kb/training/01-basics").status_code == 200  # readers use the article page
    assert client.get("/kb/files/images/rag.png").status_code == 200


@pytest.mark.parametrize("url", ["/kb/article/99999999999999999999999/diff?a=1&b=2",
                                 "/kb/article/1/diff?a=99999999999999999999999&b=1",
                                 "/kb/article/1/diff?a=%C2%B2&b=1"])
def test_odd_revision_numbers_are_not_found(client, login, url):
    login("pmo")
    client.get("/kb/")
    assert client.get(url).status_code == 404


def test_a_huge_edit_version_is_refused_not_a_server_error(client, login):
    login("pmo")
    client.get("/kb/")
    a = article("standards", "risk")
    response = client.post(f"/kb/article/{a.id}/edit", data={"text": a.text, "version": "99999999999999999999999"})
    assert response.status_code == 422
    assert client.post(f"/kb/article/{a.id}/move", data={"section": "faq", "slug": "r",
                                                         "version": "99999999999999999999999"}).status_code == 422
