"""The live knowledge folder: filled with the shipped articles once, never overwritten afterwards."""
import filecmp

from click.testing import CliRunner

from portal import create_app
from portal.cli import main
from portal.config import load
from portal.knowledge_seed import SHIPPED_DIR, shipped_files


def _app(folder, database_url):
    return create_app({"DATABASE_URL": database_url, "SECRET_KEY": "x", "KNOWLEDGE_DIR": str(folder)})


def test_a_missing_folder_gets_every_shipped_article(tmp_path, database_url):
    live = tmp_path / "srv" / "knowledge"
    _app(live, database_url)
    shipped = shipped_files()
    assert len(shipped) > 15 and any(p.parts[0] == "standards" for p in shipped)
    for relative in shipped:
        assert filecmp.cmp(SHIPPED_DIR / relative, live / relative, shallow=False), relative
    assert not [p for p in live.rglob(".*")]  # no temporary files left behind


def test_an_edited_folder_is_never_overwritten_by_an_upgrade(tmp_path, database_url):
    live = tmp_path / "knowledge"
    _app(live, database_url)
    edited = live / "standards" / "change-control.md"
    edited.write_text("---\ntitle: Our own change control\n---\nThe PMO's words.\n")
    (live / "faq" / "frequently-asked-questions.md").unlink()  # the PMO retired an article
    _app(live, database_url)  # the next release starts
    assert edited.read_text().startswith("---\ntitle: Our own change control")
    assert not (live / "faq" / "frequently-asked-questions.md").exists()


def test_an_empty_folder_is_filled_and_db_upgrade_says_so(tmp_path, database_url, monkeypatch):
    live = tmp_path / "knowledge"
    live.mkdir()  # e.g. a freshly mounted share
    monkeypatch.setenv("PORTAL_DATABASE_URL", database_url)
    monkeypatch.setenv("PORTAL_KNOWLEDGE_DIR", str(live))
    monkeypatch.setenv("PORTAL_SECRET_KEY", "x")
    result = CliRunner().invoke(main, ["db", "upgrade"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert f"Copied {len(shipped_files())} shipped knowledge file(s) into {live}." in result.output
    again = CliRunner().invoke(main, ["db", "upgrade"], catch_exceptions=False)
    assert "shipped knowledge" not in again.output


def test_by_default_the_live_folder_is_in_the_instance_folder_not_the_code(tmp_path, monkeypatch):
    monkeypatch.delenv("PORTAL_KNOWLEDGE_DIR", raising=False)
    config = load(str(tmp_path / "instance"))
    assert config["KNOWLEDGE_DIR"] == str(tmp_path / "instance" / "knowledge")
    assert SHIPPED_DIR not in (tmp_path / "instance" / "knowledge").parents
