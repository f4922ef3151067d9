"""Plain SQL for bulk writes where the ORM's per-object work costs more than the database's.

    rows_insert(model, columns=, rows=, prepare=, per_statement=)
        `rows` (tuples in `columns` order) into the model's table, in the caller's
        transaction; the columns named in `prepare` (JSON, times) go through their
        fields' own conversion, so both databases store what the ORM would store.
        No signals, no model instances. SQLite: multi-row INSERT statements of
        `per_statement` rows. PostgreSQL: COPY … FROM STDIN, since psycopg quotes
        an INSERT's parameters in Python (client-side binding), which costs far
        more per row than COPY's stream.

Callers: payouts' ledger lines (every revenue event writes them) and evaluation's
reputation scores (a recompute replaces a row per person and per asset).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from django.db import connection, models


def rows_insert(
    model: type[models.Model],
    *,
    columns: Sequence[str],
    rows: Sequence[Sequence],
    prepare: Collection[str] = (),
    per_statement: int = 500,
) -> None:
    meta = model._meta
    quote = connection.ops.quote_name
    fields = [meta.get_field(name) for name in columns]
    converted = [(n, field) for n, field in enumerate(fields) if field.name in prepare]
    table = quote(meta.db_table)
    names = ", ".join(quote(field.column) for field in fields)
    row_sql = "(" + ", ".join(["%s"] * len(fields)) + ")"
    if connection.vendor == "postgresql" and len(rows) > per_statement:
        with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
            for row in rows:
                values = list(row)
                for n, field in converted:
                    values[n] = field.get_db_prep_save(values[n], connection)
                copy.write_row(values)
        return
    with connection.cursor() as cursor:
        for start in range(0, len(rows), per_statement):
            part = rows[start : start + per_statement]
            params: list = []
            for row in part:
                values = list(row)
                for n, field in converted:
                    values[n] = field.get_db_prep_save(values[n], connection)
                params.extend(values)
            cursor.execute(f"INSERT INTO {table} ({names}) VALUES {', '.join([row_sql] * len(part))}", params)
