"""Reading, acknowledging, training, editing and reporting in the knowledge base."""
import csv
import io
import os
from pathlib import Path

import pytest

from portal.kb.models import Acknowledgement, Revision, TrainingCompletion
from tests.kb_helpers import article, kdir, write


@pytest.fixture(autouse=True)
def _sync_every_request(app):
    app.config["KB_SYNC_SECONDS"] = 0


def test_index_shows_sections_awaiting_standards_and_training(client, login):
    login("manager")
    text = client.get("/kb/").get_data(as_text=True)
    assert "Standards awaiting your acknowledgement" in text
    assert "Status reporting" in text and "Risk management" in text
    assert "0 of 2 modules complete" in text
    assert ">Standards</a>" in text and ">FAQ</a>" in text


def test_article_renders_contents_tables_and_resolved_links(client, login):
    login("member")
    text = client.get("/kb/standards/status-reporting").get_data(as_text=True)
    assert '<h2 id="rag-definitions">' in text and 'class="kb-toc"' in text
    assert "<td>Amber</td>" in text
    assert 'href="/kb/standards/risk#scoring"' in text
    assert 'src="/kb/files/images/rag.png"' in text
    assert client.get("/kb/files/images/rag.png").headers["Content-Type"] == "image/png"


def test_files_it_did_not_write_still_render(client, login):
    login("member")
    malformed = client.get("/kb/faq/malformed")
    assert malformed.status_code == 200 and "Broken header article" in malformed.get_data(as_text=True)
    plain = client.get("/kb/faq/no-front-matter")
    assert plain.status_code == 200 and "<h1" in plain.get_data(as_text=True)
    assert "Deep article" in client.get("/kb/faq/nested/deep").get_data(as_text=True)
    assert "Qualitätssicherung" in client.get("/kb/faq/qualit%C3%A4t").get_data(as_text=True)


def test_template_documents_download_as_attachments(app, client, login):
    login("member")
    write(app, "templates/files/register.csv", "ID,Risk\n")
    response = client.get("/kb/files/templates/files/register.csv")
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("url", ["/kb/files/../secret.txt", "/kb/files/%2e%2e/secret.txt",
                                 "/kb/files/images/%2e%2e/%2e%2e/secret.txt", "/kb/files//etc/passwd",
                                 "/kb/files/%2Fetc%2Fpasswd", "/kb/files/images/..%2f..%2fsecret.txt",
                                 "/kb/files/outside/secret.txt", "/kb/files/outside.md",
                                 "/kb/standards/../../secret", "/kb/standards/%2e%2e/%2e%2e/secret",
                                 "/kb/outside/secret", "/kb/files/.hidden"])
def test_nothing_outside_the_knowledge_folder_can_be_read(app, client, login, url):
    login("member")
    secret = kdir(app).parent / "secret.txt"
    secret.write_text("TOP SECRET")
    (kdir(app).parent / "outside").mkdir()
    (kdir(app).parent / "outside" / "secret.md").write_text("# TOP SECRET")
    os.symlink(kdir(app).parent / "outside", kdir(app) / "outside")
    os.symlink(secret, kdir(app) / "outside.md")
    (kdir(app) / ".hidden").write_text("TOP SECRET")
    response = client.get(url, follow_redirects=True)  # Werkzeug merges "//" with a 308 first
    assert response.status_code == 404
    assert "TOP SECRET" not in response.get_data(as_text=True)
    assert "TOP SECRET" not in client.get("/kb/search?q=secret").get_data(as_text=True)


def test_acknowledging_a_standard_and_a_new_version_asks_again(app, client, login):
    user = login("manager")
    client.get("/kb/")
    a = article("standards", "status-reporting")
    response = client.post(f"/kb/article/{a.id}/acknowledge", data={"doc_version": "3"})
    assert response.status_code == 303
    page = client.get("/kb/standards/status-reporting").get_data(as_text=True)
    assert "You acknowledged version 3" in page
    assert Acknowledgement.select().where(Acknowledgement.user == user.id).count() == 1
    write(app, "standards/status-reporting.md", a.text.replace("version: 3", "version: 4"))
    page = client.get("/kb/standards/status-reporting").get_data(as_text=True)
    assert "I have read and understood version 4" in page


def test_acknowledging_an_outdated_version_is_not_stored(client, login):
    login("manager")
    client.get("/kb/")
    a = article("standards", "status-reporting")
    client.post(f"/kb/article/{a.id}/acknowledge", data={"doc_version": "2"})
    assert Acknowledgement.select().count() == 0


def test_acknowledgement_needs_csrf_and_a_mandatory_standard(client, login):
    login("manager")
    client.get("/kb/")
    a = article("standards", "status-reporting")
    assert client.post(f"/kb/article/{a.id}/acknowledge", data={"doc_version": "3"}, csrf=False).status_code == 400
    faq = article("faq", "malformed")
    assert client.post(f"/kb/article/{faq.id}/acknowledge", data={"doc_version": "1"}).status_code == 404


def test_training_quiz_must_be_right_before_completion(client, login):
    login("member")
    client.get("/kb/")
    module = article("training", "01-basics")
    wrong = client.post(f"/kb/article/{module.id}/complete", data={"q0": "0"})
    assert wrong.status_code == 422 and "Not quite" in wrong.get_data(as_text=True)
    missing = client.post(f"/kb/article/{module.id}/complete", data={})
    assert missing.status_code == 422 and "Choose an answer" in missing.get_data(as_text=True)
    assert TrainingCompletion.select().count() == 0
    assert client.post(f"/kb/article/{module.id}/complete", data={"q0": "1"}).status_code == 303
    assert "1 of 2 modules complete" in client.get("/kb/").get_data(as_text=True)


@pytest.mark.parametrize("role,status", [("member", 403), ("manager", 403), ("executive", 403),
                                         ("pmo", 200), ("admin", 200)])
def test_editing_and_reports_are_for_pmo_and_admin(client, login, role, status):
    login(role)
    client.get("/kb/")
    a = article("standards", "risk")
    for url in (f"/kb/article/{a.id}/edit", f"/kb/article/{a.id}/history", "/kb/new",
                f"/kb/article/{a.id}/move", "/kb/reports/acknowledgements", "/kb/reports/training",
                f"/kb/reports/acknowledgements/{a.id}", f"/kb/reports/acknowledgements/{a.id}.csv"):
        assert client.get(url).status_code == status, url
    assert client.post("/kb/preview", data={"text": "# x"}).status_code == status
    assert client.post(f"/kb/article/{a.id}/edit", data={"text": "x", "version": a.version}).status_code in (
        {403} if status == 403 else {303})


def test_edit_saves_a_revision_and_rewrites_the_file(app, client, login):
    editor = login("pmo")
    client.get("/kb/")
    a = article("standards", "risk")
    new_text = a.text.replace("Probability times impact.", "Probability × impact, each 1–5.")
    response = client.post(f"/kb/article/{a.id}/edit", data={"text": new_text, "version": a.version,
                                                              "message": "Clarify scoring"})
    assert response.status_code == 303
    assert (kdir(app) / "standards/risk.md").read_text(encoding="utf-8") == new_text
    assert "each 1–5" in client.get("/kb/standards/risk").get_data(as_text=True)
    history = client.get(f"/kb/article/{a.id}/history").get_data(as_text=True)
    assert "Clarify scoring" in history and editor.name in history
    # The rewrite is not mistaken for a change on disk.
    client.get("/kb/")
    assert Revision.select().where(Revision.article == a.id).count() == 2


def test_a_stale_edit_is_refused_and_both_texts_are_kept(client, login):
    login("pmo")
    client.get("/kb/")
    a = article("standards", "risk")
    first = client.post(f"/kb/article/{a.id}/edit", data={"text": a.text + "\nTheirs.\n", "version": a.version})
    assert first.status_code == 303
    stale = client.post(f"/kb/article/{a.id}/edit", data={"text": a.text + "\nMine.\n", "version": a.version})
    text = stale.get_data(as_text=True)
    assert stale.status_code == 409
    assert "Someone else saved this article" in text and "Mine." in text and "Theirs." in text


def test_invalid_edit_shows_the_error_next_to_the_field(client, login):
    login("pmo")
    client.get("/kb/")
    a = article("standards", "risk")
    response = client.post(f"/kb/article/{a.id}/edit", data={"text": "", "version": a.version})
    assert response.status_code == 422 and 'id="text-error"' in response.get_data(as_text=True)


def test_live_preview_is_sanitised(hx, login):
    login("pmo")
    response = hx.post("/kb/preview", data={"text": "# Hi\n\n<script>alert(1)</script>[x](javascript:alert(1))"})
    text = response.get_data(as_text=True)
    assert response.status_code == 200 and "<h1" in text and "<script" not in text and "javascript:" not in text


def test_a_file_changed_on_disk_becomes_a_revision(app, client, login):
    login("pmo")
    client.get("/kb/")
    a = article("standards", "risk")
    write(app, "standards/risk.md", a.text + "\nEdited in a text editor.\n")
    client.get("/kb/")
    history = client.get(f"/kb/article/{a.id}/history").get_data(as_text=True)
    assert "Changed on disk" in history


def test_draft_of_a_standard_waits_until_published(client, login):
    login("pmo")
    client.get("/kb/")
    a = article("standards", "risk")
    client.post(f"/kb/article/{a.id}/edit", data={"text": a.text + "\nDraft sentence.\n", "version": a.version,
                                                   "draft": "y"})
    assert "Draft sentence." not in client.get("/kb/standards/risk").get_data(as_text=True)
    a = article("standards", "risk")
    assert client.post(f"/kb/article/{a.id}/publish", data={"version": a.version}).status_code == 303
    assert "Draft sentence." in client.get("/kb/standards/risk").get_data(as_text=True)


def test_diff_and_restore_an_old_revision(client, login):
    login("pmo")
    client.get("/kb/")
    a = article("standards", "risk")
    client.post(f"/kb/article/{a.id}/edit", data={"text": a.text + "\nNew line.\n", "version": a.version})
    diff = client.get(f"/kb/article/{a.id}/diff?a=1&b=2").get_data(as_text=True)
    assert "+New line." in diff
    a = article("standards", "risk")
    assert client.post(f"/kb/article/{a.id}/restore/1", data={"version": a.version}).status_code == 303
    assert "New line." not in client.get("/kb/standards/risk").get_data(as_text=True)
    assert "Restored revision 1" in client.get(f"/kb/article/{a.id}/history").get_data(as_text=True)


def test_create_and_move_an_article(app, client, login):
    login("pmo")
    client.get("/kb/")
    response = client.post("/kb/new", data={"section": "faq", "slug": "new-one",
                                            "text": "---\ntitle: Brand new\n---\n\nHello.\n"})
    assert response.status_code == 303
    assert (kdir(app) / "faq/new-one.md").exists()
    a = article("faq", "new-one")
    assert client.post(f"/kb/article/{a.id}/move", data={"section": "standards", "slug": "moved",
                                                         "version": a.version}).status_code == 303
    assert not (kdir(app) / "faq/new-one.md").exists() and (kdir(app) / "standards/moved.md").exists()
    assert "Brand new" in client.get("/kb/standards/moved").get_data(as_text=True)
    assert client.get("/kb/faq/new-one").status_code == 404


@pytest.mark.parametrize("slug", ["../escape", "sub/.git/x", ".hidden", "a/../../b"])
def test_new_article_refuses_paths_outside_the_folder(client, login, slug):
    login("pmo")
    response = client.post("/kb/new", data={"section": "faq", "slug": slug, "text": "# x"})
    assert response.status_code == 422 and 'id="slug-error"' in response.get_data(as_text=True)


def test_acknowledgement_report_and_formula_safe_csv(client, login):
    from tests.factories import make_user
    done = make_user("manager", name="=HYPERLINK(\"http://evil\")", department="+Finance")
    make_user("manager", name="Nadia Notyet")
    login("pmo")
    client.get("/kb/")
    a = article("standards", "status-reporting")
    Acknowledgement.create(user=done.id, article=a.id, doc_version=a.doc_version)
    page = client.get(f"/kb/reports/acknowledgements/{a.id}").get_data(as_text=True)
    assert "Nadia Notyet" in page and "Not yet" in page
    overview = client.get("/kb/reports/acknowledgements").get_data(as_text=True)
    assert "1 of 3" in overview  # two managers and the signed-in PMO member
    response = client.get(f"/kb/reports/acknowledgements/{a.id}.csv")
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert response.headers["Content-Type"].startswith("text/csv")
    names = {r[0]: r for r in rows[1:]}
    assert "'=HYPERLINK(\"http://evil\")" in names and names["'=HYPERLINK(\"http://evil\")"][2] == "'+Finance"
    assert names["Nadia Notyet"][6] == ""


def test_training_report_by_person_and_department(client, login):
    from tests.factories import make_user
    learner = make_user("member", name="Lena Learner", department="Finance")
    login("pmo", department="PMO")
    client.get("/kb/")
    TrainingCompletion.create(user=learner.id, article=article("training", "01-basics").id)
    text = client.get("/kb/reports/training").get_data(as_text=True)
    assert "Lena Learner" in text and "1 of 2" in text and "Finance" in text and "50%" in text


def test_overdue_reviews_are_listed_for_owner_and_pmo(client, login):
    login("manager", name="PMO Lead")
    text = client.get("/kb/").get_data(as_text=True)
    assert "Past their review date" in text and "review by 2020-01-01" in text
    assert "Status reporting" in client.get("/kb/reviews").get_data(as_text=True)


def test_other_readers_do_not_see_reviews_they_do_not_own(client, login):
    login("member")
    assert "Status reporting" not in client.get("/kb/reviews").get_data(as_text=True)


def test_anonymous_users_must_sign_in(client, hx):
    assert "/login" in client.get("/kb/standards/risk").headers["Location"]
    assert hx.get("/kb/").status_code == 401


def test_check_reports_fixture_warnings_without_failing(app):
    from portal.kb.check import check_folder
    with app.app_context():
        problems = check_folder()
    assert any("faq/malformed.md: warning: front matter is not valid YAML" in p for p in problems)
    assert not any("broken link" in p for p in problems)


def test_shipped_knowledge_has_no_broken_links(app):
    shipped = Path(__file__).resolve().parent.parent / "knowledge"
    app.config["KNOWLEDGE_DIR"] = str(shipped)
    from portal.cli import kb_check
    result = app.test_cli_runner().invoke(kb_check)
    assert result.exit_code == 0, result.output
    assert "0 problem(s), 0 broken link(s)." in result.output
    sections = {p.parent.name for p in shipped.rglob("*.md")}
    assert {"standards", "templates", "training", "faq"} <= sections
    assert len(list((shipped / "standards").glob("*.md"))) >= 6
    assert len(list((shipped / "training").glob("*.md"))) >= 5
