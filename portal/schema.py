"""Where the database schema stands against this release's migrations, and going back.

A database that has migrations this release does not know was upgraded by a
newer release: the portal refuses to serve it rather than write rows the newer
schema does not expect. Going back reverts exactly the migrations applied after
a given one, newest application first (not highest number first: a migration
merged late may carry a lower number than one applied before it).
"""
import inspect
import re
from dataclasses import dataclass, field

from playhouse.migrations import Runner

from portal.db import migration_runner

# A `down` that drops a table or a column loses data; it runs only when the operator confirms.
_DESTRUCTIVE = re.compile(r"drop[\s_]+(table|column)s?|drop_tables?\(|drop_column\(", re.IGNORECASE)


class SchemaError(Exception):
    """A schema change that cannot be made as asked; the message says why."""


@dataclass
class SchemaState:
    """Pending migrations (known, not applied) and unknown ones (applied, no file in this release)."""

    pending: list = field(default_factory=list)
    unknown: list = field(default_factory=list)

    @property
    def current(self) -> bool:
        """True when every migration is applied and none is unknown."""
        return not self.pending and not self.unknown

    def problem(self) -> str:
        """One sentence for an operator, or '' when the schema is current."""
        if self.unknown:
            return (f"the database has {len(self.unknown)} migration(s) this release does not know "
                    f"({', '.join(self.unknown)}): it was upgraded by a newer release")
        if self.pending:
            return f"{len(self.pending)} migration(s) pending ({', '.join(self.pending)}): run `portal db upgrade`"
        return ""


def schema_state(runner: Runner | None = None) -> SchemaState:
    """Compare the applied migrations with the files of this release (needs an open connection)."""
    rows = (runner or migration_runner()).status()
    return SchemaState(pending=[m.name for m in rows if m.applied is None],
                       unknown=[m.name for m in rows if m.path is None])


def applied_in_order(runner: Runner) -> list[str]:
    """Applied migration names in the order they were applied (the history table's ids)."""
    if not runner.History.table_exists():
        return []
    return [name for (name,) in runner.History.select(runner.History.name)
            .order_by(runner.History.id).tuples()]


def is_destructive(module) -> bool:
    """True when the migration's `down` drops a table or a column."""
    try:
        source = inspect.getsource(module.down)
    except (OSError, TypeError):
        return True  # cannot tell: treat as destructive
    return bool(_DESTRUCTIVE.search(source))


@dataclass
class Step:
    """One migration to revert, and whether reverting it loses data."""

    name: str
    module: object
    destructive: bool


def downgrade_plan(target: str, runner: Runner | None = None) -> list[Step]:
    """The migrations applied after `target`, newest application first; raises SchemaError."""
    runner = runner or migration_runner()
    order = applied_in_order(runner)
    if target not in order:
        raise SchemaError(f"{target} is not an applied migration; `portal db status` lists them.")
    files = {m.name: m for m in runner.migrations()}
    plan = []
    for name in reversed(order[order.index(target) + 1:]):
        if name not in files:
            raise SchemaError(f"Cannot revert {name}: this release has no file for it. "
                              "Go back with the release that applied it, or restore a backup.")
        module = files[name].load()
        if getattr(module, "down", None) is None:
            raise SchemaError(f"Cannot revert {name}: it defines no down().")
        plan.append(Step(name, module, is_destructive(module)))
    return plan


def revert(plan: list[Step], runner: Runner | None = None) -> list[str]:
    """Run each step's `down` in its own transaction, forgetting it in the history; returns the names."""
    runner = runner or migration_runner()
    done = []
    for step in plan:
        try:
            with runner.migrator.migration_context(getattr(step.module, "atomic", True)):
                step.module.down(runner.migrator, runner.database)
                runner.History.delete().where(runner.History.name == step.name).execute()
        except Exception as exc:
            raise SchemaError(f"Reverting {step.name} failed ({exc}); reverted before it: "
                              f"{', '.join(done) or 'none'}.") from exc
        done.append(step.name)
    return done

