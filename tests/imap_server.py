"""A real IMAP server for the tests: Dovecot on a free loopback port, with its own folders under tmp."""
import os
import pwd
import shutil
import socket
import subprocess
import time
from pathlib import Path

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"
USER, PASSWORD = "helpdesk", "imap-test-password"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _accounts() -> tuple[str, str, str, str]:
    """(login user, internal user, their group, mail owner uid:gid): root runs the login
    processes as Debian's unprivileged dovenull/dovecot users; anyone else as themselves."""
    me = pwd.getpwuid(os.getuid())
    if os.getuid() == 0:
        mail = pwd.getpwnam("dovecot")  # Dovecot refuses to keep mail as root
        return "dovenull", "dovecot", "dovecot", f"{mail.pw_uid}:{mail.pw_gid}"
    import grp
    group = grp.getgrgid(me.pw_gid).gr_name
    return me.pw_name, me.pw_name, group, f"{me.pw_uid}:{me.pw_gid}"


def write_config(root: Path, port: int) -> Path:
    """A Dovecot configuration confined to `root`: plain IMAP on 127.0.0.1:`port`, one passwd-file user."""
    login_user, internal_user, internal_group, owner = _accounts()
    for name in ("base", "state", "mail"):
        (root / name).mkdir(parents=True, exist_ok=True)
    os.chmod(root, 0o755)
    if os.getuid() == 0:
        uid, gid = (int(n) for n in owner.split(":"))
        os.chown(root / "mail", uid, gid)
    (root / "passwd").write_text(f"{USER}:{{PLAIN}}{PASSWORD}:{owner}::{root / 'mail' / USER}\n")
    conf = root / "dovecot.conf"
    conf.write_text(f"""
protocols = imap
listen = 127.0.0.1
base_dir = {root / 'base'}
state_dir = {root / 'state'}
instance_name = portal-test-{port}
default_login_user = {login_user}
default_internal_user = {internal_user}
default_internal_group = {internal_group}
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_verbose = no
auth_debug = no
mail_debug = no
log_path = {root / 'dovecot.log'}
mail_location = maildir:~/Maildir
first_valid_uid = 0
passdb {{
  driver = passwd-file
  args = scheme=PLAIN {root / 'passwd'}
}}
userdb {{
  driver = passwd-file
  args = {root / 'passwd'}
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service pop3-login {{
  inet_listener pop3 {{
    port = 0
  }}
}}
""")
    return conf


class Dovecot:
    """One running Dovecot; `stop()` ends it and only it (by its process id)."""

    def __init__(self, root: Path):
        self.root = root
        self.port = free_port()
        self.conf = write_config(root, self.port)
        self.process = subprocess.Popen([DOVECOT, "-F", "-c", str(self.conf)], stdout=subprocess.PIPE,
                                        stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"dovecot exited: {self.process.stdout.read().decode(errors='replace')}"
                                   f"{self.log()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock:
                    if sock.recv(100).startswith(b"* OK"):
                        return
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"dovecot did not answer on port {self.port}: {self.log()}")

    def log(self) -> str:
        path = self.root / "dovecot.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process.stdout:
            self.process.stdout.close()


# --- fixtures (registered for every module by tests/conftest.py) ---------------------------------

import pytest  # noqa: E402


@pytest.fixture(scope="session")
def imap_server():
    """One Dovecot for the run, on a free loopback port; skipped locally (failed under CI) when missing."""
    import tempfile

    from tests.conftest import _missing
    if not os.path.exists(DOVECOT):
        _missing(f"Dovecot is not installed at {DOVECOT} (apt-get install dovecot-imapd)")
    if os.getuid() == 0:
        try:
            pwd.getpwnam("dovenull"), pwd.getpwnam("dovecot")
        except KeyError:
            _missing("Dovecot's dovenull/dovecot users are missing (apt-get install dovecot-imapd)")
    root = Path(tempfile.mkdtemp(prefix="portal-imap-"))
    try:
        server = Dovecot(root)
    except RuntimeError as exc:
        shutil.rmtree(root, ignore_errors=True)
        _missing(f"Dovecot did not start: {exc}")
    yield server
    server.stop()
    shutil.rmtree(root, ignore_errors=True)


class Mailbox:
    """The help-desk mailbox as a test sees it: deliver mail by IMAP APPEND, look into folders."""

    def __init__(self, server: Dovecot):
        self.server = server

    def _box(self):
        from imap_tools import MailBoxUnencrypted
        return MailBoxUnencrypted("127.0.0.1", self.server.port).login(USER, PASSWORD)

    def append(self, raw: bytes, folder: str = "INBOX") -> None:
        with self._box() as box:
            box.append(raw, folder)

    def subjects(self, folder: str) -> list[str]:
        """Subjects of the mail in `folder` (none when it does not exist)."""
        with self._box() as box:
            if not box.folder.exists(folder):
                return []
            box.folder.set(folder)
            return [m.subject for m in box.fetch(mark_seen=False, bulk=True)]

    def empty(self) -> None:
        with self._box() as box:
            for folder in [f.name for f in box.folder.list()]:
                box.folder.set(folder)
                uids = box.uids()
                if uids:
                    box.delete(uids)


@pytest.fixture
def mailbox(imap_server, app):
    """The help-desk mailbox, emptied, and the portal configured to read it."""
    box = Mailbox(imap_server)
    box.empty()
    app.config.update(MAIL_IN_HOST="127.0.0.1", MAIL_IN_PORT=imap_server.port, MAIL_IN_TLS="none",
                      MAIL_IN_USER=USER, MAIL_IN_PASSWORD=PASSWORD, MAIL_IN_FOLDER="INBOX",
                      MAIL_IN_DONE_FOLDER="Processed", MAIL_IN_ERROR_FOLDER="Unprocessable",
                      MAIL_IN_ADDRESS="helpdesk@corp.example", MAIL_FROM="pmo-portal@corp.example")
    return box
