"""Importing people from CSV: preview with each row's problems, all-or-nothing, re-import updates, 2,000 rows fast."""
import io
import re
import time

from click.testing import CliRunner

from portal.audit.models import AuditEvent
from portal.auth.models import User
from portal.auth.people import import_people, preview
from portal.auth.services import has_local_password
from portal.cli import main
from portal.errors import InvalidInput
from tests.factories import make_user

HEADER = "email,name,department,role,manager\n"


def people_csv(count: int, role_of=lambda i: "member", name_of=lambda i: f"Person {i}") -> str:
    """`count` people; every tenth is a manager, and the others report to the manager of their ten."""
    lines = [HEADER.strip()]
    for i in range(count):
        manager = "" if i % 10 == 0 else f"person{i - i % 10}@example.test"
        role = "manager" if i % 10 == 0 else role_of(i)
        lines.append(f"Person{i}@Example.test,{name_of(i)},Dept {i % 7},{role},{manager}")
    return "\n".join(lines) + "\n"


def upload(client, text, name="people.csv"):
    return client.post("/admin/users/import", data={"file": (io.BytesIO(text.encode()), name)},
                       content_type="multipart/form-data")


def payload_of(page: str) -> str:
    return re.search(r'name="payload" type="hidden" value="([^"]+)"', page).group(1)


def test_two_thousand_people_import_in_seconds_and_reimport_updates(app, client, login, capsys):
    login("admin")
    text = people_csv(2000)
    started = time.perf_counter()
    page = upload(client, text)
    previewed = time.perf_counter() - started
    assert page.status_code == 200 and "2000 new" in page.get_data(as_text=True)
    started = time.perf_counter()
    assert client.post("/admin/users/import/confirm",
                       data={"payload": payload_of(page.get_data(as_text=True))}).status_code == 303
    first = time.perf_counter() - started
    assert User.select().count() == 2001
    person = User.get(User.email == "person15@example.test")
    assert person.manager.email == "person10@example.test" and person.department == "Dept 1"
    assert has_local_password(person)
    changed = people_csv(2000, name_of=lambda i: f"Person {i}" + (" Jr" if i % 2 else ""),
                         role_of=lambda i: "pmo" if i == 3 else "member")
    started = time.perf_counter()
    again = import_people(changed, None, app.config)
    second = time.perf_counter() - started
    assert again.count("create") == 0 and again.count("update") == 1000 and again.count("unchanged") == 1000
    assert User.select().count() == 2001
    assert User.get(User.email == "person3@example.test").role == "pmo"
    assert User.get(User.email == "person3@example.test").session_version == 2  # new role: sessions end
    assert User.get(User.email == "person5@example.test").name == "Person 5 Jr"
    assert AuditEvent.select().where(AuditEvent.action == "user.import").count() == 2
    assert AuditEvent.select().where(AuditEvent.action == "user.create").count() == 2000
    assert AuditEvent.select().where(AuditEvent.action == "user.update").count() == 1000
    with capsys.disabled():
        print(f"\n[{app.config['DATABASE_URL'].split(':')[0]}] 2,000 people: upload and preview page "
              f"{previewed:.2f}s, import {first:.2f}s, re-import with 1,000 changes {second:.2f}s")
    assert previewed < 20 and first < 20 and second < 20


def test_preview_names_each_bad_row_in_plain_words(app):
    make_user(email="existing@example.test")
    text = HEADER + "\n".join([
        "good@example.test,Good Person,IT,member,existing@example.test",
        "not-an-address,No Address,IT,member,",
        "good@example.test,Twice,IT,member,",
        "nameless@example.test,,IT,member,",
        "boss@example.test,Boss,IT,chief,",
        "lost@example.test,Lost,IT,member,ghost@example.test",
        "self@example.test,Self,IT,member,self@example.test",
    ]) + "\n"
    result = preview(text, app.config)
    errors = {row.line: " ".join(row.errors) for row in result.bad_rows}
    assert errors == {
        3: "E-mail 'not-an-address': Enter an e-mail address such as name@example.org.",
        4: "good@example.test is listed twice (first on line 2).",
        5: "The name is missing.",
        6: "Unknown role 'chief': use one of admin, pmo, manager, member, executive.",
        7: "Manager ghost@example.test has no account and is not in this file.",
        8: "A person cannot be their own manager.",
    }
    assert not result.ok


def test_a_file_without_the_columns_is_refused_as_a_whole(app):
    assert preview("address;who\nx@example.test;X\n", app.config).problems[0].startswith(
        "The first line must name the columns; missing: email, name, role")
    assert preview("", app.config).problems[0].startswith("The file is empty.")
    app.config["IMPORT_MAX_ROWS"] = 5
    assert "more than 5 people" in preview(people_csv(6), app.config).problems[0]


def test_semicolons_and_a_byte_order_mark_are_read(app, client, login):
    login("admin")
    text = "\ufeffE-mail;Full name;Department;Role;Manager e-mail\nsemi@example.test;Semi Colon;Ops;Executive;\n"
    response = upload(client, text)
    assert response.status_code == 200
    assert "1 new" in response.get_data(as_text=True)


def test_all_or_nothing(app):
    text = people_csv(50) + "broken@example.test,Broken,IT,wizard,\n"
    try:
        import_people(text, None, app.config)
    except InvalidInput as exc:
        assert "1 row(s) need correcting" in str(exc)
    else:
        raise AssertionError("a file with a bad row was imported")
    assert User.select().count() == 0 and AuditEvent.select().count() == 0


def test_the_last_admin_cannot_be_demoted_by_a_file(app):
    admin = make_user("admin", email="only.admin@example.test")
    result = preview(HEADER + f"{admin.email},Only Admin,IT,member,\n", app.config)
    assert "would leave no active admin" in result.problems[0]


def test_admin_page_previews_then_imports_what_was_previewed(app, client, login):
    admin = login("admin")
    page = client.get("/admin/users/import").get_data(as_text=True)
    assert "Import people" in page and "email,name,department,role,manager" in page
    bad = upload(client, people_csv(20) + "oops,Oops,IT,member,\n")
    assert bad.status_code == 422
    body = bad.get_data(as_text=True)
    assert "1 with problems" in body and "Enter an e-mail address such as name@example.org." in body
    assert 'name="payload"' not in body
    good = upload(client, people_csv(20))
    assert good.status_code == 200
    body = good.get_data(as_text=True)
    assert "20 new" in body and "Import 20 changes" in body
    assert User.select().count() == 1  # a preview changes nothing
    payload = payload_of(body)
    # Any worker can import it: the file comes back signed, and a tampered one is refused.
    tampered = client.post("/admin/users/import/confirm", data={"payload": payload[:-3] + "abc"})
    assert tampered.status_code == 400
    done = client.post("/admin/users/import/confirm", data={"payload": payload})
    assert done.status_code == 303
    assert User.select().count() == 21
    event = AuditEvent.get(AuditEvent.action == "user.import")
    assert event.actor_id == admin.id and "20 created" in event.summary


def test_import_pages_are_for_admins_only(client, login):
    login("pmo")
    assert client.get("/admin/users/import").status_code == 403
    assert client.post("/admin/users/import/confirm", data={"payload": "x"}).status_code == 403


def test_command_line_import_and_dry_run(app, tmp_path, monkeypatch, database_url):
    monkeypatch.setenv("PORTAL_DATABASE_URL", database_url)
    monkeypatch.setenv("PORTAL_SECRET_KEY", "test-secret")
    path = tmp_path / "people.csv"
    path.write_text(people_csv(30))
    runner = CliRunner()
    dry = runner.invoke(main, ["users", "import", str(path), "--dry-run"])
    assert dry.exit_code == 0 and "Would create 30" in dry.output
    assert User.select().count() == 0
    done = runner.invoke(main, ["users", "import", str(path)])
    assert done.exit_code == 0 and "30 created" in done.output
    again = runner.invoke(main, ["users", "import", str(path)])
    assert "0 created, 0 updated, 30 unchanged" in again.output
    path.write_text(HEADER + "bad,,IT,member,\n")
    failed = runner.invoke(main, ["users", "import", str(path)])
    assert failed.exit_code == 1 and "line 2:" in failed.output and "Nothing was imported" in failed.output
