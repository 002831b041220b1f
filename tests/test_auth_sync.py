"""`portal users sync` against a real slapd of 2,000 people: leavers and disabled people lose access."""
import time

import ldap3
import pytest
from click.testing import CliRunner

from portal.audit.models import AuditEvent
from portal.auth.models import User
from portal.auth.sync import sync_directory
from portal.cli import main
from portal.errors import Conflict
from tests.conftest import sign_in
from tests.factories import make_user
from tests.slapd import ADMINS_GROUP, PEOPLE, PMO_GROUP, base_ldif, group_ldif, person_ldif, start_directory

PEOPLE_COUNT = 2000


@pytest.fixture
def big_directory(tmp_path):
    """A directory of 2,000 people (its own slapd: the tests delete and disable people)."""
    people = "".join(person_ldif(f"p{n:04d}", f"Person {n:04d}", department=f"Dept {n % 17}")
                     for n in range(PEOPLE_COUNT))
    server = start_directory(tmp_path / "slapd", base_ldif() + people + group_ldif(ADMINS_GROUP, ["p0000"])
                             + group_ldif(PMO_GROUP, []))
    yield server
    server.stop()


@pytest.fixture
def synced_app(app, big_directory):
    """The portal with one directory account per person (as after each one signed in once)."""
    app.config.update(big_directory.portal_config())
    conn = big_directory.admin()
    entries = conn.extend.standard.paged_search(PEOPLE, "(objectClass=person)", ldap3.SUBTREE,
                                                attributes=["entryUUID", "mail", "cn"], paged_size=1000)
    rows = [{"email": e["attributes"]["mail"][0], "name": e["attributes"]["cn"][0], "role": "member",
             "password_hash": "", "auth_source": "ldap", "external_id": e["raw_attributes"]["entryUUID"][0].decode()}
            for e in entries]
    conn.unbind()
    assert len(rows) == PEOPLE_COUNT
    for start in range(0, len(rows), 200):
        User.insert_many(rows[start:start + 200]).execute()
    return app


def leave_and_disable(directory, left=range(0, 30), disabled=range(100, 120)):
    conn = directory.admin()
    for n in left:
        conn.delete(f"uid=p{n:04d},{PEOPLE}")
    for n in disabled:
        conn.modify(f"uid=p{n:04d},{PEOPLE}", {"userAccountControl": [(ldap3.MODIFY_REPLACE, ["514"])]})
    conn.unbind()


def test_sync_deactivates_leavers_and_disabled_people_ends_sessions_and_is_idempotent(synced_app, big_directory,
                                                                                     client, capsys):
    leaver = User.get(User.email == "p0005@example.test")
    stayer = User.get(User.email == "p0500@example.test")
    local = make_user("admin", email="breakglass@portal.local")  # local accounts are never the directory's
    sign_in(client, leaver)
    assert client.get("/").status_code == 200
    leave_and_disable(big_directory)

    started = time.perf_counter()
    preview = sync_directory(synced_app.config, dry_run=True)
    dry_seconds = time.perf_counter() - started
    assert (len(preview.left), len(preview.disabled)) == (30, 20)
    assert "would deactivate (left the directory): p0005@example.test" in preview.lines()
    assert User.select().where(User.active == False).count() == 0  # noqa: E712  (a dry run changes nothing)

    started = time.perf_counter()
    report = sync_directory(synced_app.config)
    seconds = time.perf_counter() - started
    with capsys.disabled():
        print(f"\nsync of {PEOPLE_COUNT} directory people: dry run {dry_seconds:.2f}s, "
              f"deactivating 50 {seconds:.2f}s")
    assert report.directory_people == PEOPLE_COUNT - 30 and report.checked == PEOPLE_COUNT
    assert sorted(report.left) == [f"p{n:04d}@example.test" for n in range(30)]
    assert sorted(report.disabled) == [f"p{n:04d}@example.test" for n in range(100, 120)]
    assert report.lines()[-1] == "50 account(s) deactivated."
    inactive = {u.email for u in User.select().where(User.active == False)}  # noqa: E712
    assert len(inactive) == 50 and stayer.email not in inactive and local.email not in inactive
    assert AuditEvent.select().where(AuditEvent.action == "user.update",
                                     AuditEvent.summary.contains("Directory sync deactivated")).count() == 50
    # The leaver's open session ends at the next request.
    response = client.get("/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert seconds < 30

    again = sync_directory(synced_app.config)
    assert (again.left, again.disabled, again.lines()[-1]) == ([], [], "Nothing to change.")
    assert AuditEvent.select().where(AuditEvent.summary.contains("Directory sync")).count() == 50


def test_an_empty_answer_is_refused_rather_than_deactivating_everyone(synced_app):
    synced_app.config["LDAP_BASE_DN"] = "ou=groups,dc=example,dc=test"  # a wrong base: nobody found
    with pytest.raises(Conflict, match="refusing to deactivate"):
        sync_directory(synced_app.config)
    assert User.select().where(User.active == False).count() == 0  # noqa: E712


def test_the_command_reports_and_exits_non_zero_when_the_directory_is_down(synced_app, big_directory,
                                                                          database_url, monkeypatch, tmp_path):
    leave_and_disable(big_directory, left=[7], disabled=[])
    settings = {"DATABASE_URL": database_url, "SECRET_KEY": "cli-test", "LDAP_URL": big_directory.url,
                "LDAP_BIND_DN": big_directory.portal_config()["LDAP_BIND_DN"], "LDAP_TLS": "none",
                "LDAP_BIND_PASSWORD": big_directory.portal_config()["LDAP_BIND_PASSWORD"], "LDAP_BASE_DN": PEOPLE,
                "LDAP_ROLE_GROUPS": f"admin={ADMINS_GROUP};pmo={PMO_GROUP}", "UPLOAD_DIR": str(tmp_path / "up"),
                "KNOWLEDGE_DIR": str(tmp_path / "kb")}
    for key, value in settings.items():
        monkeypatch.setenv(f"PORTAL_{key}", value)
    runner = CliRunner()
    preview = runner.invoke(main, ["users", "sync", "--dry-run"])
    assert preview.exit_code == 0, preview.output
    assert "would deactivate (left the directory): p0007@example.test" in preview.output
    assert User.get(User.email == "p0007@example.test").active
    done = runner.invoke(main, ["users", "sync"])
    assert done.exit_code == 0 and "1 account(s) deactivated." in done.output
    assert not User.get(User.email == "p0007@example.test").active
    monkeypatch.setenv("PORTAL_LDAP_URL", "ldap://127.0.0.1:9")
    down = runner.invoke(main, ["users", "sync"])
    assert down.exit_code != 0 and "directory cannot be reached" in down.output

