"""A real OpenLDAP server (slapd) for the directory sign-in and sync tests, on a free loopback port.

Each `Slapd` writes its own slapd.conf (mdb database, the standard schemas plus Active
Directory's userAccountControl, TLS with a certificate made by openssl for StartTLS), loads
its entries with slapadd and runs slapd in the foreground; `stop()` ends that one process.
"""
import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest

SLAPD = shutil.which("slapd") or "/usr/sbin/slapd"
SLAPADD = shutil.which("slapadd") or "/usr/sbin/slapadd"
SUFFIX = "dc=example,dc=test"
ADMIN_DN = f"cn=admin,{SUFFIX}"
ADMIN_PASSWORD = "directory-admin-secret"
SERVICE_DN = f"cn=portal,ou=system,{SUFFIX}"
SERVICE_PASSWORD = "portal-service-secret"
PEOPLE = f"ou=people,{SUFFIX}"
GROUPS = f"ou=groups,{SUFFIX}"
PASSWORD = "directory pass 1"
ADMINS_GROUP = f"cn=portal-admins,{GROUPS}"
PMO_GROUP = f"cn=pmo-office,{GROUPS}"
MANAGERS_GROUP = f"cn=project-managers,{GROUPS}"

# Active Directory's attribute, so the tests use the very filter AD needs (bit 2: account disabled).
TEST_SCHEMA = """
attributetype ( 1.3.6.1.4.1.4203.666.11.1 NAME 'userAccountControl'
  EQUALITY integerMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.27 SINGLE-VALUE )
objectclass ( 1.3.6.1.4.1.4203.666.11.2 NAME 'portalTestAccount' AUXILIARY MAY ( userAccountControl ) )
"""


def available() -> bool:
    """True when slapd and slapadd are installed (Debian: slapd, ldap-utils)."""
    return os.path.exists(SLAPD) and os.path.exists(SLAPADD)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def person_ldif(uid: str, name: str, mail: str | None = None, department: str = "Engineering",
                disabled: bool = False, password: str = PASSWORD) -> str:
    """An inetOrgPerson entry (with userAccountControl 512, or 514 when disabled)."""
    given, _, family = name.partition(" ")
    return (f"dn: uid={uid},{PEOPLE}\nobjectClass: inetOrgPerson\nobjectClass: portalTestAccount\n"
            f"uid: {uid}\ncn: {name}\nsn: {family or given}\ngivenName: {given}\ndisplayName: {name}\n"
            f"mail: {mail or uid + '@example.test'}\ndepartmentNumber: {department}\n"
            f"userPassword: {password}\nuserAccountControl: {514 if disabled else 512}\n\n")


def group_ldif(dn: str, members: list[str]) -> str:
    cn = dn.split(",")[0].split("=")[1]
    # groupOfNames needs a member: the service account stays in each, so a test may empty a group of people.
    lines = "".join(f"member: uid={m},{PEOPLE}\n" for m in members) + f"member: {SERVICE_DN}\n"
    return f"dn: {dn}\nobjectClass: groupOfNames\ncn: {cn}\n{lines}\n"


def base_ldif() -> str:
    return (f"dn: {SUFFIX}\nobjectClass: dcObject\nobjectClass: organization\ndc: example\no: Example\n\n"
            f"dn: ou=system,{SUFFIX}\nobjectClass: organizationalUnit\nou: system\n\n"
            f"dn: {SERVICE_DN}\nobjectClass: organizationalRole\nobjectClass: simpleSecurityObject\n"
            f"cn: portal\nuserPassword: {SERVICE_PASSWORD}\n\n"
            f"dn: {PEOPLE}\nobjectClass: organizationalUnit\nou: people\n\n"
            f"dn: {GROUPS}\nobjectClass: organizationalUnit\nou: groups\n\n")


class Slapd:
    """One slapd with its own folder, port, certificate and data."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.port = 0
        self.process = None
        self.cert = folder / "cert.pem"

    @property
    def url(self) -> str:
        return f"ldap://127.0.0.1:{self.port}"

    def _write_config(self) -> Path:
        (self.folder / "data").mkdir(parents=True, exist_ok=True)
        (self.folder / "test.schema").write_text(TEST_SCHEMA)
        key = self.folder / "key.pem"
        if not self.cert.exists():
            subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                            "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
                            "-keyout", str(key), "-out", str(self.cert)], check=True, capture_output=True)
        conf = self.folder / "slapd.conf"
        schemas = "".join(f"include /etc/ldap/schema/{s}.schema\n" for s in ("core", "cosine", "inetorgperson"))
        conf.write_text(
            f"{schemas}include {self.folder / 'test.schema'}\n"
            f"pidfile {self.folder / 'slapd.pid'}\nargsfile {self.folder / 'slapd.args'}\n"
            f"modulepath /usr/lib/ldap\nmoduleload back_mdb\n"
            f"TLSCertificateFile {self.cert}\nTLSCertificateKeyFile {key}\n"
            f"sizelimit 5000\n"
            f"database mdb\nmaxsize 268435456\nsuffix \"{SUFFIX}\"\nrootdn \"{ADMIN_DN}\"\nrootpw {ADMIN_PASSWORD}\n"
            f"directory {self.folder / 'data'}\n"
            "index objectClass eq\nindex uid,mail eq\nindex member eq\n"
            "access to attrs=userPassword by anonymous auth by self auth by * none\n"
            "access to * by users read by * none\n")
        return conf

    def load(self, ldif: str) -> None:
        """Add entries offline (before start): slapadd is far faster than adding over the wire."""
        conf = self._write_config()
        path = self.folder / "load.ldif"
        path.write_text(ldif)
        subprocess.run([SLAPADD, "-q", "-f", str(conf), "-l", str(path)], check=True, capture_output=True)

    def start(self) -> "Slapd":
        conf = self._write_config()
        for _attempt in range(3):
            self.port = _free_port()
            self.process = subprocess.Popen([SLAPD, "-f", str(conf), "-h", self.url, "-d", "0"],
                                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                            start_new_session=True)
            deadline = time.monotonic() + 15
            while time.monotonic() < deadline and self.process.poll() is None:
                try:
                    socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                    return self
                except OSError:
                    time.sleep(0.05)
            self.stop()
        raise RuntimeError("slapd did not start")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        if self.process and self.process.stderr:
            self.process.stderr.close()

    def admin(self):
        """An ldap3 connection bound as the directory's administrator (to change entries during a test)."""
        import ldap3
        return ldap3.Connection(ldap3.Server(self.url, get_info=ldap3.NONE), ADMIN_DN, ADMIN_PASSWORD,
                                auto_bind=True, raise_exceptions=True)

    def portal_config(self, **overrides) -> dict:
        """The portal's PORTAL_LDAP_* settings for this directory (plain LDAP on loopback unless overridden)."""
        return {"LDAP_URL": self.url, "LDAP_BIND_DN": SERVICE_DN, "LDAP_BIND_PASSWORD": SERVICE_PASSWORD,
                "LDAP_BASE_DN": PEOPLE, "LDAP_TLS": "none", "LDAP_ATTR_DEPARTMENT": "departmentNumber",
                "LDAP_ATTR_ID": "entryUUID",
                "LDAP_ROLE_GROUPS": (("admin", ADMINS_GROUP), ("pmo", PMO_GROUP), ("manager", MANAGERS_GROUP)),
                "LDAP_DISABLED_FILTER": "(userAccountControl:1.2.840.113556.1.4.803:=2)", **overrides}


STANDARD_PEOPLE = [("alice", "Alice Admin", "Finance"), ("pete", "Pete Planner", "PMO"),
                   ("mary", "Mary Member", "Sales"), ("dave", "Dave Disabled", "PMO"),
                   ("manny", "Manny Manager", "Engineering")]


def standard_ldif() -> str:
    """The small directory the sign-in tests use: one person per role, and a disabled one."""
    people = "".join(person_ldif(uid, name, department=dept, disabled=(uid == "dave"))
                     for uid, name, dept in STANDARD_PEOPLE)
    groups = (group_ldif(ADMINS_GROUP, ["alice"]) + group_ldif(PMO_GROUP, ["pete", "dave"])
              + group_ldif(MANAGERS_GROUP, ["manny"]))
    return base_ldif() + people + groups


def start_directory(folder: Path, ldif: str) -> Slapd:
    """A started slapd holding `ldif`; skipped locally (failed under CI) when slapd is not installed."""
    from tests.conftest import _missing
    if not available():
        _missing("slapd is not installed (apt-get install slapd ldap-utils)")
    server = Slapd(folder)
    server.load(ldif)
    return server.start()


@pytest.fixture(scope="session")
def directory(tmp_path_factory):
    """The standard directory, started once per run (tests that change it put it back)."""
    server = start_directory(tmp_path_factory.mktemp("slapd"), standard_ldif())
    yield server
    server.stop()
