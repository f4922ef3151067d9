# Each process keeps the stored lexical rows as postings in memory (index.PostingsCopy)
# and follows the table's newest change, like the vector copies: the rows get an
# updated_at, indexed. Added by ALTER TABLE ADD COLUMN on both databases: on SQLite
# a NOT NULL field would otherwise make Django rebuild the table, which drops the
# triggers that keep the FTS5 tables in step. Existing rows take the time of the
# migration.

from django.db import migrations, models
from django.utils import timezone

ROWS = "discovery_lexicaldocument"


def forward(apps, schema_editor):
    index = schema_editor._create_index_name(ROWS, ["updated_at"], suffix="")
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(f"ALTER TABLE {ROWS} ADD COLUMN updated_at datetime NOT NULL DEFAULT '1970-01-01 00:00:00'")
        schema_editor.execute(f"UPDATE {ROWS} SET updated_at = %s", [timezone.now().replace(tzinfo=None).isoformat(sep=" ")])
    else:
        schema_editor.execute(f"ALTER TABLE {ROWS} ADD COLUMN updated_at timestamp with time zone NOT NULL DEFAULT now()")
        schema_editor.execute(f"ALTER TABLE {ROWS} ALTER COLUMN updated_at DROP DEFAULT")
    schema_editor.execute(f"CREATE INDEX {index} ON {ROWS} (updated_at)")


def backward(apps, schema_editor):
    index = schema_editor._create_index_name(ROWS, ["updated_at"], suffix="")
    schema_editor.execute(f"DROP INDEX {index}")
    schema_editor.execute(f"ALTER TABLE {ROWS} DROP COLUMN updated_at")


class Migration(migrations.Migration):
    dependencies = [
        ("discovery", "0003_lexical_restricted_teaser"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(forward, backward)],
            state_operations=[
                migrations.AddField(
                    model_name="lexicaldocument",
                    name="updated_at",
                    field=models.DateTimeField(auto_now=True, db_index=True),
                ),
            ],
        ),
    ]
