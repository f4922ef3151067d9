# The teaser search structures hold the rows of assets that are not public only:
# every viewer of a public asset may read its details, so a public asset is always
# matched in the full structures, and its teaser row was never used. The teaser
# structures shrink to the restricted rows, and a search reads that much less.
# SQLite: the triggers copy a row into the teaser FTS5 table only when restricted
# (ALTER TABLE ADD COLUMN keeps the table, so the FTS5 tables over it stay).
# PostgreSQL: an unrestricted row's teaser_vector is empty, which matches nothing.

from django.db import migrations, models

TEASER = "discovery_lexical_teaser_fts"
TEASER_COLUMNS = ("title", "keywords", "summary")
FULL = "discovery_lexical_fts"
FULL_COLUMNS = ("title", "keywords", "summary", "details")
ROWS = "discovery_lexicaldocument"
RESTRICTED_FROM_ASSETS = (
    f"UPDATE {ROWS} SET restricted = (SELECT a.visibility <> 'public' FROM registry_asset a "
    f"WHERE a.id = {ROWS}.asset_id)"
)


def _insert(table, columns, row, when=""):
    values = ", ".join(f"{row}.{column}" for column in columns)
    return f"INSERT INTO {table}(rowid, {', '.join(columns)}) SELECT {row}.asset_id, {values}{when}"


def _delete(table, columns, row, when=""):
    values = ", ".join(f"{row}.{column}" for column in columns)
    return f"INSERT INTO {table}({table}, rowid, {', '.join(columns)}) SELECT 'delete', {row}.asset_id, {values}{when}"


def _triggers(conditional):
    new_when = " WHERE new.restricted" if conditional else ""
    old_when = " WHERE old.restricted" if conditional else ""
    insert_new = [_insert(FULL, FULL_COLUMNS, "new"), _insert(TEASER, TEASER_COLUMNS, "new", new_when)]
    delete_old = [_delete(FULL, FULL_COLUMNS, "old"), _delete(TEASER, TEASER_COLUMNS, "old", old_when)]
    return [
        "DROP TRIGGER IF EXISTS discovery_lexical_au",
        "DROP TRIGGER IF EXISTS discovery_lexical_ad",
        "DROP TRIGGER IF EXISTS discovery_lexical_ai",
        f"CREATE TRIGGER discovery_lexical_ai AFTER INSERT ON {ROWS} BEGIN " + "; ".join(insert_new) + "; END",
        f"CREATE TRIGGER discovery_lexical_ad AFTER DELETE ON {ROWS} BEGIN " + "; ".join(delete_old) + "; END",
        f"CREATE TRIGGER discovery_lexical_au AFTER UPDATE ON {ROWS} BEGIN "
        + "; ".join([*delete_old, *insert_new])
        + "; END",
    ]


def _teaser_fill(where):
    return [
        f"INSERT INTO {TEASER}({TEASER}) VALUES ('delete-all')",
        f"INSERT INTO {TEASER}(rowid, {', '.join(TEASER_COLUMNS)}) "
        f"SELECT asset_id, {', '.join(TEASER_COLUMNS)} FROM {ROWS}{where}",
    ]


SQLITE_FORWARD = [
    f"ALTER TABLE {ROWS} ADD COLUMN restricted bool NOT NULL DEFAULT 0",
    RESTRICTED_FROM_ASSETS,
    *_triggers(conditional=True),
    *_teaser_fill(" WHERE restricted"),
]
SQLITE_BACKWARD = [
    *_triggers(conditional=False),
    *_teaser_fill(""),
    f"ALTER TABLE {ROWS} DROP COLUMN restricted",
]
POSTGRESQL_FORWARD = [
    f"ALTER TABLE {ROWS} ADD COLUMN restricted boolean NOT NULL DEFAULT false",
    RESTRICTED_FROM_ASSETS,
    f"UPDATE {ROWS} SET teaser_vector = ''::tsvector WHERE NOT restricted",
]
POSTGRESQL_BACKWARD = [
    f"ALTER TABLE {ROWS} DROP COLUMN restricted",
    # The teaser vectors of public rows come back with the next `conceptcloud reindex`.
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, ()):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("discovery", "0002_vectors_saved_searches"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunPython(
                    _run({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRESQL_FORWARD}),
                    _run({"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRESQL_BACKWARD}),
                ),
            ],
            state_operations=[
                migrations.AddField(
                    model_name="lexicaldocument",
                    name="restricted",
                    field=models.BooleanField(default=False),
                ),
            ],
        ),
    ]
