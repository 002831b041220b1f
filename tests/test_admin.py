"""Admin pages: who may use them, and what managing users does."""
import pytest

from portal.audit.models import AuditEvent
from portal.auth.models import User
from tests.factories import PASSWORD, make_user

ADMIN_URLS = ["/admin/users", "/admin/users/new", "/admin/audit"]


@pytest.mark.parametrize("role,expected", [
    ("admin", 200), ("pmo", 403), ("manager", 403), ("member", 403), ("executive", 403)])
def test_user_admin_is_for_admins_only(client, login, role, expected):
    login(role)
    for url in ("/admin/users", "/admin/users/new"):
        assert client.get(url).status_code == expected, url


@pytest.mark.parametrize("role,expected", [
    ("admin", 200), ("pmo", 200), ("manager", 403), ("member", 403), ("executive", 403)])
def test_audit_trail_is_for_admins_and_pmo(client, login, role, expected):
    login(role)
    assert client.get("/admin/audit").status_code == expected


def test_forbidden_page_says_what_is_missing(client, login):
    login("manager")
    response = client.get("/admin/users")
    assert "Managing users needs the admin role." in response.get_data(as_text=True)


@pytest.mark.parametrize("role", ["pmo", "manager", "member", "executive"])
def test_non_admins_cannot_create_or_change_users_by_posting(client, login, role):
    login(role)
    victim = make_user("member")
    assert client.post("/admin/users/new", data={
        "email": "new@example.test", "name": "New", "role": "admin", "password": PASSWORD}).status_code == 403
    assert client.post(f"/admin/users/{victim.id}", data={
        "name": "Hacked", "role": "admin", "version": "1"}).status_code == 403
    assert client.post(f"/admin/users/{victim.id}/deactivate", data={"version": "1"}).status_code == 403
    assert not User.select().where(User.email == "new@example.test").exists()
    fresh = User.get_by_id(victim.id)
    assert (fresh.role, fresh.active) == ("member", True)


def test_admin_creates_a_user_who_can_then_sign_in(app, client, login):
    login("admin")
    response = client.post("/admin/users/new", data={
        "email": "Nina@Example.test", "name": "Nina New", "role": "manager",
        "department": "Finance", "password": "a long enough pass"})
    assert response.status_code == 303
    user = User.get(User.email == "nina@example.test")
    assert (user.name, user.role, user.department) == ("Nina New", "manager", "Finance")
    assert AuditEvent.select().where(AuditEvent.action == "user.create").count() == 1
    other = app.test_client()
    assert other.post("/login", data={"email": "nina@example.test",
                                      "password": "a long enough pass"}).status_code == 303


def test_create_user_rejects_bad_input_next_to_the_fields(client, login):
    login("admin")
    response = client.post("/admin/users/new", data={
        "email": "not-an-email", "name": "", "role": "overlord", "password": "short"})
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "Enter an e-mail address such as name@example.org." in body
    assert "Not a valid choice." in body
    assert "Use at least 10 characters." in body
    assert User.select().count() == 1  # only the admin


def test_create_user_refuses_a_duplicate_email(client, login):
    login("admin")
    existing = make_user("member")
    response = client.post("/admin/users/new", data={
        "email": existing.email.upper(), "name": "Dup", "role": "member", "password": PASSWORD})
    assert response.status_code == 422
    assert "already exists" in response.get_data(as_text=True)


def test_changing_a_role_applies_at_once_and_is_audited(app, client, login):
    login("admin")
    target = make_user("member", name="Max Member")
    other = app.test_client()
    from tests.conftest import sign_in
    sign_in(other, target)
    assert other.get("/").status_code == 200
    response = client.post(f"/admin/users/{target.id}", data={
        "name": "Max Member", "role": "pmo", "department": "PMO", "version": str(target.version)})
    assert response.status_code == 303
    assert User.get_by_id(target.id).role == "pmo"
    # The old session (with the old rights) ended.
    assert other.get("/").status_code == 302
    page = client.get(f"/admin/users/{target.id}").get_data(as_text=True)
    assert "role: <del>member</del> → <ins>pmo</ins>" in page


def test_a_stale_edit_is_refused_and_keeps_the_other_change(client, login):
    login("admin")
    target = make_user("member", name="Original")
    stale_version = target.version
    first = client.post(f"/admin/users/{target.id}", data={
        "name": "First save", "role": "member", "version": str(stale_version)})
    assert first.status_code == 303
    second = client.post(f"/admin/users/{target.id}", data={
        "name": "Second save", "role": "executive", "version": str(stale_version)})
    assert second.status_code == 409
    assert "Someone else changed this account" in second.get_data(as_text=True)
    fresh = User.get_by_id(target.id)
    assert (fresh.name, fresh.role) == ("First save", "member")


def test_deactivation_ends_sessions_and_reactivation_restores_sign_in(app, client, login):
    login("admin")
    target = make_user("member")
    from tests.conftest import sign_in
    other = app.test_client()
    sign_in(other, target)
    response = client.post(f"/admin/users/{target.id}/deactivate", data={"version": target.version})
    assert response.status_code == 303
    assert other.get("/").status_code == 302
    assert other.post("/login", data={"email": target.email, "password": PASSWORD}).status_code == 401
    fresh = User.get_by_id(target.id)
    client.post(f"/admin/users/{target.id}/activate", data={"version": fresh.version})
    assert other.post("/login", data={"email": target.email, "password": PASSWORD}).status_code == 303


def test_the_last_admin_cannot_be_demoted_or_deactivated(client, login):
    admin = login("admin")
    response = client.post(f"/admin/users/{admin.id}/deactivate", data={"version": admin.version},
                           follow_redirects=True)
    assert "last active admin" in response.get_data(as_text=True)
    assert User.get_by_id(admin.id).active


def test_user_list_filters_paginates_and_serves_a_fragment(client, hx, login):
    login("admin", name="Ada Admin")
    for i in range(55):
        make_user("member", name=f"Member {i:02d}")
    make_user("pmo", name="Pia Planner")
    page = client.get("/admin/users")
    body = page.get_data(as_text=True)
    assert "57 users" in body and "Page 1 of 2" in body and "<html" in body
    second = client.get("/admin/users?page=2").get_data(as_text=True)
    assert "Page 2 of 2" in second and "Pia Planner" in second
    fragment = hx.get("/admin/users?role=pmo")
    assert "<html" not in fragment.get_data(as_text=True)
    assert "Pia Planner" in fragment.get_data(as_text=True)
    assert "Member 01" not in fragment.get_data(as_text=True)
    assert fragment.headers["Vary"] == "HX-Request" or "HX-Request" in fragment.headers["Vary"]
    empty = client.get("/admin/users?q=nobody-like-this").get_data(as_text=True)
    assert "No users match these filters." in empty


def test_nonsense_paging_and_filters_do_not_break_the_list(client, login):
    login("admin")
    for query in ("page=-4", "page=abc", "page=999999999999", "role=wizard", "q=" + "x" * 5000):
        assert client.get(f"/admin/users?{query}").status_code == 200, query
    assert client.get("/admin/users?role=%00").status_code == 400


def test_unknown_user_is_404(client, login):
    login("admin")
    assert client.get("/admin/users/99999").status_code == 404
