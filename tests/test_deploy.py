"""The deploy/ files work as written: systemd and nginx accept them, the SQL sets up a usable database,
the environment file is systemd syntax, and a production install carries what it needs."""
import os
import re
import shutil
import subprocess
import sys
import tomllib
import uuid
from pathlib import Path

import psycopg2

from tests.conftest import PG_ADMIN_URL, _missing

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
VENV = "/opt/pmo-portal/venv"
STATIC = f"{VENV}/lib/python3.11/site-packages/portal/static/"
UNITS = sorted(p.name for p in DEPLOY.glob("portal*.service")) + sorted(p.name for p in DEPLOY.glob("portal*.timer"))


def _tool(name: str) -> str:
    path = shutil.which(name) or shutil.which(name, path="/usr/sbin:/sbin")
    if path is None:
        _missing(f"{name} is not installed (apt-get install {'nginx-light' if name == 'nginx' else 'systemd'})")
    return path


def test_the_shipped_units_are_the_expected_ones():
    assert set(UNITS) >= {"portal.service", "portal-remind.service", "portal-remind.timer",
                          "portal-mail-fetch.service", "portal-mail-fetch.timer"}


def test_systemd_accepts_every_unit(tmp_path):
    """`systemd-analyze verify`, with the venv paths pointing at this test's environment."""
    analyze = _tool("systemd-analyze")
    for name in UNITS:
        text = (DEPLOY / name).read_text().replace(VENV, sys.prefix)
        (tmp_path / name).write_text(text)
    result = subprocess.run([analyze, "verify", *UNITS], cwd=tmp_path, capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0 and not result.stderr.strip(), result.stderr


def test_systemd_verify_notices_a_broken_unit(tmp_path):
    """The check above can fail: a misspelt setting and a missing program are reported."""
    analyze = _tool("systemd-analyze")
    text = (DEPLOY / "portal.service").read_text().replace("Type=notify", "Type=notifyy")
    (tmp_path / "portal.service").write_text(text)
    result = subprocess.run([analyze, "verify", "portal.service"], cwd=tmp_path, capture_output=True, text=True,
                            timeout=60, check=False)
    assert result.returncode != 0 and "notifyy" in result.stderr


def _nginx_check(tmp_path, site_text):
    nginx = _tool("nginx")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=pmo.example.org",
                    "-days", "2", "-keyout", str(tmp_path / "key.pem"), "-out", str(tmp_path / "cert.pem")],
                   check=True, capture_output=True, timeout=60)
    site = (site_text.replace("/etc/ssl/certs/pmo.example.org.pem", str(tmp_path / "cert.pem"))
            .replace("/etc/ssl/private/pmo.example.org.key", str(tmp_path / "key.pem"))
            .replace(STATIC, str(ROOT / "portal" / "static") + "/"))
    (tmp_path / "site.conf").write_text(site)
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log stderr;\nevents {{}}\n"
        f"http {{\n    include /etc/nginx/mime.types;\n    access_log off;\n"
        f"    client_body_temp_path {tmp_path}/body;\n    include {tmp_path}/site.conf;\n}}\n")
    return subprocess.run([nginx, "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf"), "-e", "stderr"],
                          capture_output=True, text=True, timeout=60, check=False)


def test_nginx_accepts_the_site(tmp_path):
    result = _nginx_check(tmp_path, (DEPLOY / "nginx-portal.conf").read_text())
    assert result.returncode == 0, result.stderr
    assert "test is successful" in result.stderr


def test_nginx_check_notices_a_broken_site(tmp_path):
    broken = (DEPLOY / "nginx-portal.conf").read_text().replace("proxy_pass http://pmo_portal;", "proxy_pass;")
    assert _nginx_check(tmp_path, broken).returncode != 0


def test_the_site_forwards_what_the_portal_needs_and_caches_static_files():
    site = (DEPLOY / "nginx-portal.conf").read_text()
    for header in ("X-Forwarded-For", "X-Forwarded-Proto", "X-Forwarded-Host", "X-Request-ID"):
        assert f"proxy_set_header {header} " in site
    assert "Strict-Transport-Security" in site
    assert f"alias {STATIC};" in site
    assert "max-age=31536000" in site


def _env_example() -> dict:
    values = {}
    for number, line in enumerate((DEPLOY / "portal.env.example").read_text().splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        assert re.fullmatch(r"PORTAL_[A-Z_]+=\S.*", line), f"line {number} is not KEY=value: {line!r}"
        assert "#" not in line, f"line {number}: systemd would keep the comment in the value"
        key, value = line.split("=", 1)
        values[key] = value
    return values


def test_the_environment_file_is_systemd_syntax_and_only_names_real_settings(tmp_path):
    values = _env_example()
    read_by_config = set(re.findall(r'"(PORTAL_[A-Z_]+)"', (ROOT / "portal" / "config.py").read_text()))
    assert set(values) <= read_by_config, set(values) - read_by_config
    assert {"PORTAL_DATABASE_URL", "PORTAL_SECRET_KEY", "PORTAL_UPLOAD_DIR", "PORTAL_KNOWLEDGE_DIR",
            "PORTAL_TRUST_PROXY", "PORTAL_SECURE_COOKIES"} <= set(values)


def test_nginx_accepts_a_little_more_than_the_largest_upload_the_portal_accepts():
    values = _env_example()
    largest = max(int(values["PORTAL_MAX_UPLOAD_MB"]), int(values["PORTAL_MAX_DOCUMENT_MB"]))
    limit = re.search(r"client_max_body_size (\d+)m;", (DEPLOY / "nginx-portal.conf").read_text())
    assert int(limit.group(1)) == largest + 1


def test_the_units_use_the_environment_file_and_the_installed_commands():
    for name in UNITS:
        text = (DEPLOY / name).read_text()
        if name.endswith(".service"):
            assert "EnvironmentFile=/etc/pmo-portal/portal.env" in text
            assert f"ExecStart={VENV}/bin/" in text
    assert "portal:create_app()" in (DEPLOY / "portal.service").read_text()
    assert "portal mail fetch" in (DEPLOY / "portal-mail-fetch.service").read_text()


def test_postgres_setup_makes_a_role_that_can_migrate_its_database(tmp_path):
    psql = shutil.which("psql") or _missing("psql is not installed (apt-get install postgresql-client)")
    try:
        admin = psycopg2.connect(PG_ADMIN_URL, connect_timeout=3)
    except psycopg2.Error as exc:
        _missing(f"PostgreSQL is not reachable at {PG_ADMIN_URL}: {exc}")
    admin.autocommit = True
    name = f"portal_setup_{uuid.uuid4().hex[:8]}"
    server = PG_ADMIN_URL.rsplit("/", 1)[0]
    try:
        result = subprocess.run([psql, "-q", "-d", PG_ADMIN_URL, "-v", f"portal_role={name}", "-v", f"portal_db={name}",
                                 "-v", "portal_password=it's a long pass", "-f", str(DEPLOY / "postgres-setup.sql")],
                                capture_output=True, text=True, timeout=60, check=False)
        assert result.returncode == 0, result.stderr
        url = server.replace("://postgres@", f"://{name}:pass@") + f"/{name}"
        # In a process of its own, as an operator runs it: the test process keeps its own database.
        env = {**os.environ, "PORTAL_DATABASE_URL": url, "PORTAL_SECRET_KEY": "x",
               "PORTAL_KNOWLEDGE_DIR": str(tmp_path / "knowledge"), "PORTAL_UPLOAD_DIR": str(tmp_path / "uploads")}
        upgrade = subprocess.run([sys.executable, "-c", "from portal.cli import main; main()", "db", "upgrade"],
                                 env=env, cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)
        assert upgrade.returncode == 0, upgrade.stdout + upgrade.stderr
        with psycopg2.connect(f"{server}/{name}") as con, con.cursor() as cur:
            cur.execute("SELECT tableowner FROM pg_tables WHERE tablename = 'user'")
            assert cur.fetchone() == (name,)
        con.close()
        with admin.cursor() as cur:
            cur.execute("SELECT has_database_privilege('public', %s, 'CONNECT')", (name,))
            assert cur.fetchone() == (False,)
        without_password = subprocess.run([psql, "-q", "-d", PG_ADMIN_URL, "-f", str(DEPLOY / "postgres-setup.sql")],
                                          capture_output=True, text=True, timeout=60, check=False)
        assert without_password.returncode != 0 and "Give the role a password" in without_password.stderr
    finally:
        with admin.cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            cur.execute(f'DROP ROLE IF EXISTS "{name}"')
        admin.close()


def test_static_urls_carry_a_digest_of_the_files(client):
    page = client.get("/login").get_data(as_text=True)
    links = re.findall(r'/static/app\.css\?v=([0-9a-f]+)', page)
    assert links and len(links[0]) == 12
    assert client.get(f"/static/app.css?v={links[0]}").status_code == 200


def test_a_production_install_carries_migrations_knowledge_templates_and_static_files(tmp_path):
    """What `pip install .` copies into site-packages: a real wheel, built as pip builds it."""
    import zipfile
    source = tmp_path / "source"
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(".venv", ".git", "instance", "build", "*.egg-info",
                                                               "__pycache__", ".pytest_cache", "test-results"))
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", str(tmp_path),
                    str(source)], check=True, capture_output=True, timeout=300)
    wheel = next(tmp_path.glob("*.whl"))
    shipped = set(zipfile.ZipFile(wheel).namelist())
    for expected in ("portal/migrations/0001_foundation.py", "portal/knowledge/standards/change-control.md",
                     "portal/knowledge/templates/files/project-charter.txt", "portal/templates/base.html",
                     "portal/static/app.js", "portal/backup/__init__.py"):
        assert expected in shipped
    assert not any(p.startswith(("tests/", "migrations/", "knowledge/")) for p in shipped)


def test_the_constraints_pin_every_runtime_dependency_and_no_test_tool():
    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    pins = {}
    for line in (ROOT / "constraints.txt").read_text().splitlines():
        if line and not line.startswith("#"):
            name, version = line.split("==")
            pins[canonicalize_name(name)] = version
    for text in project["dependencies"]:
        requirement = Requirement(text)
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{name} is not pinned: run `make lock`"
        assert requirement.specifier.contains(pins[name]), f"{name}=={pins[name]} does not satisfy {requirement}"
    for tool in project["optional-dependencies"]["dev"]:
        assert canonicalize_name(Requirement(tool).name) not in pins
