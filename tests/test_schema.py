"""The migrated schema matches every model: a model change without a migration fails here.

Columns (name and NULL-ability), indexes and unique constraints are compared on
SQLite and PostgreSQL, each against the database the migrations built.
"""
import peewee
import pytest

from portal.db import BaseModel, db

# Built by migrations on purpose, with no model behind them.
MIGRATION_ONLY_TABLES = {
    "schema_migration",  # the migration runner's own ledger
}
# Search structures kept by raw SQL (FTS5 on SQLite, tsvector/GIN on PostgreSQL):
# their shadow tables and expression indexes have no peewee equivalent.
MIGRATION_ONLY_TABLE_PREFIXES = ("kb_search",)
MIGRATION_ONLY_INDEXES = {
    "ticket_text_search",  # GIN expression index for the help-desk queue search (0007)
    "ticket_shown_due",  # expression index of the queue's "due soonest" order (0027)
}


def _models():
    """Every concrete model the portal defines (the app factory has imported them all)."""
    seen, stack = [], list(BaseModel.__subclasses__())
    while stack:
        model = stack.pop()
        stack.extend(model.__subclasses__())
        if model._meta.table_name and model not in seen and not getattr(model._meta, "abstract", False):
            seen.append(model)
    # VersionedModel and other bases have no table of their own.
    return [m for m in seen if m._meta.fields and m.__name__ not in {"VersionedModel"}]


def _model_indexes(model):
    """(columns, unique) for each index the model declares, foreign keys included."""
    found = set()
    for index in model._meta.fields_to_index():
        # A column in descending order (peewee's Ordering) is still that column.
        parts = [e.node if isinstance(e, peewee.Ordering) else e for e in index._expressions]
        columns = tuple(e.column_name for e in parts if isinstance(e, peewee.Field))
        found.add((columns, bool(index._unique)))
    for field in model._meta.sorted_fields:
        # peewee indexes every foreign key unless told not to.
        if isinstance(field, peewee.ForeignKeyField) and not field.unique and field.index:
            found.add(((field.column_name,), False))
    return found


def _db_indexes(model):
    """(columns, unique) for each index in the database, less the primary key's own."""
    primary = tuple(f.column_name for f in model._meta.get_primary_keys())
    return {(tuple(i.columns), bool(i.unique)) for i in db.get_indexes(model._meta.table_name)
            if i.name not in MIGRATION_ONLY_INDEXES and tuple(i.columns) != primary}


@pytest.fixture
def schema(app):
    with app.app_context():
        yield {t for t in db.get_tables()}


def test_every_model_has_its_table(schema):
    missing = sorted(m._meta.table_name for m in _models() if m._meta.table_name not in schema)
    assert not missing, f"models with no table (write a migration): {missing}"


def test_every_table_belongs_to_a_model(schema):
    modelled = {m._meta.table_name for m in _models()}
    stray = sorted(t for t in schema - modelled - MIGRATION_ONLY_TABLES
                   if not t.startswith(MIGRATION_ONLY_TABLE_PREFIXES))
    assert not stray, f"tables no model describes (a removed model needs a migration): {stray}"


def test_columns_match_the_models(schema):
    problems = []
    for model in _models():
        table = model._meta.table_name
        stored = {c.name: c for c in db.get_columns(table)}
        declared = {f.column_name: f for f in model._meta.sorted_fields}
        for name in sorted(declared.keys() - stored.keys()):
            problems.append(f"{table}.{name}: in the model, not in the database")
        for name in sorted(stored.keys() - declared.keys()):
            problems.append(f"{table}.{name}: in the database, not in the model")
        for name in sorted(declared.keys() & stored.keys()):
            field = declared[name]
            if field.primary_key:
                continue
            if bool(field.null) != bool(stored[name].null):
                problems.append(f"{table}.{name}: model null={field.null}, database null={stored[name].null}")
    assert not problems, "schema differs from the models:\n" + "\n".join(problems)


def test_indexes_and_unique_constraints_match_the_models(schema):
    problems = []
    for model in _models():
        table = model._meta.table_name
        declared, stored = _model_indexes(model), _db_indexes(model)
        for columns, unique in sorted(declared - stored):
            problems.append(f"{table}{columns} unique={unique}: declared by the model, missing in the database")
        for columns, unique in sorted(stored - declared):
            problems.append(f"{table}{columns} unique={unique}: in the database, not declared by the model")
    assert not problems, "indexes differ from the models:\n" + "\n".join(problems)
