"""Lexical search backends, one per database vendor, behind one interface.

    lexical_backend()   the LexicalBackend for the database in use
    base                the interface (LexicalBackend, LexicalRow) and shared helpers
    sqlite              FTS5 with bm25()
    postgresql          tsvector + GIN with ts_rank_cd()
"""

from __future__ import annotations

from django.db import connection

from conceptcloud.discovery.backends.base import LexicalBackend
from conceptcloud.discovery.backends.postgresql import PostgreSQLBackend
from conceptcloud.discovery.backends.sqlite import SQLiteBackend

_BACKENDS: dict[str, type] = {"sqlite": SQLiteBackend, "postgresql": PostgreSQLBackend}


def lexical_backend() -> LexicalBackend:
    """The backend for the default database's vendor (ImproperlyConfigured-free: the
    platform runs on SQLite or PostgreSQL only; another vendor raises LookupError)."""
    try:
        return _BACKENDS[connection.vendor]()
    except KeyError:
        raise LookupError(f"no lexical search backend for database vendor {connection.vendor!r}") from None
