"""Going back: `portal db downgrade` reverts in reverse order of application, dry runs change nothing."""
import textwrap

import pytest

from portal.db import db, make_database, migration_runner
from portal.schema import SchemaError, applied_in_order, downgrade_plan, is_destructive, revert

MIGRATION = '''
def up(migrator, db):
    db.execute_sql("CREATE TABLE {table} (id INTEGER PRIMARY KEY)")


def down(migrator, db):
    {down}
'''


@pytest.fixture
def runner(tmp_path):
    """A runner over a temporary folder with three migrations, on a database of its own (SQLite)."""
    folder = tmp_path / "migrations"
    folder.mkdir()
    for name, table, down in [("0001_a", "t_a", 'db.execute_sql("DROP TABLE t_a")'),
                              ("0002_b", "t_b", 'db.execute_sql("DELETE FROM t_b")'),
                              ("0003_c", "t_c", 'db.execute_sql("DELETE FROM t_c")')]:
        (folder / f"{name}.py").write_text(textwrap.dedent(MIGRATION.format(table=table, down=down)))
    previous = db.obj
    db.initialize(make_database(f"sqlite:///{tmp_path / 'order.sqlite3'}"))
    with db.connection_context():
        yield migration_runner(folder)
    db.initialize(previous)


def _apply_out_of_order(runner):
    # 0001, then 0003 (merged first), then 0002 (merged later with a lower number).
    runner.up("0001_a")
    runner.History.create_table()
    for name in ("0003_c", "0002_b"):
        migration = next(m for m in runner.migrations() if m.name == name)
        module = migration.load()
        module.up(runner.migrator, runner.database)
        runner.History.create(name=name)


def test_reverts_in_reverse_order_of_application(runner):
    _apply_out_of_order(runner)
    assert applied_in_order(runner) == ["0001_a", "0003_c", "0002_b"]
    plan = downgrade_plan("0001_a", runner)
    assert [s.name for s in plan] == ["0002_b", "0003_c"]
    assert revert(plan, runner) == ["0002_b", "0003_c"]
    assert applied_in_order(runner) == ["0001_a"]


def test_reverts_only_what_came_after_the_target(runner):
    _apply_out_of_order(runner)
    assert [s.name for s in downgrade_plan("0003_c", runner)] == ["0002_b"]


def test_target_not_applied_is_refused(runner):
    runner.up("0001_a")
    with pytest.raises(SchemaError, match="not an applied migration"):
        downgrade_plan("0002_b", runner)


def test_destructive_steps_are_recognised(runner):
    files = {m.name: m.load() for m in runner.migrations()}
    assert is_destructive(files["0001_a"]) and not is_destructive(files["0002_b"])
    from portal.db import MIGRATIONS_DIR
    real = {m.name: m for m in migration_runner(MIGRATIONS_DIR).migrations()}
    assert is_destructive(real["0013_request_id"].load())  # drops columns and a table


def test_a_migration_without_its_file_cannot_be_reverted(runner):
    _apply_out_of_order(runner)
    runner.History.create(name="0099_newer")
    with pytest.raises(SchemaError, match="no file"):
        downgrade_plan("0001_a", runner)
