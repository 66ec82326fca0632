"""Writes as SQL statements, for the hot paths where a round trip to the database, or the ORM building a
model's query, costs more than the write itself (docs/scaling.md, "Claim create")."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connections
from django.db.models import Model

Statement = tuple[str, list]


def insert_statement(instance: Model, using: str) -> Statement:
    """`INSERT INTO <table> (<columns>) VALUES (…)` for `instance`, every concrete field but an automatic
    primary key, each value prepared as `save()` prepares it (`pre_save`, then the database's form).
    Callers may append clauses (`ON CONFLICT …`, `RETURNING …`)."""
    connection = connections[using]
    meta = instance._meta
    fields = [f for f in meta.concrete_fields if not (f.primary_key and getattr(instance, f.attname) is None)]
    quote = connection.ops.quote_name
    values = [f.get_db_prep_save(f.pre_save(instance, True), connection) for f in fields]
    sql = (
        f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "
        f"VALUES ({', '.join(['%s'] * len(fields))})"
    )
    return sql, values


def next_id(model: type[Model], using: str) -> int:
    """PostgreSQL: the next value of the model's primary key sequence, for a row inserted with its id (so that
    the statements written with it can name it). Unused, it leaves a gap, as a rolled-back insert does."""
    meta = model._meta
    with connections[using].cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s))", [meta.db_table, meta.pk.column])
        return cursor.fetchone()[0]


def write_together(statements: Sequence[Statement], using: str) -> None:
    """Run writes that do not read one another's rows. On PostgreSQL they are one statement, each a
    data-modifying `WITH` query: one round trip, all or nothing, and each sees the database as it was before
    any of them (a foreign key between their rows is checked at commit, Django's keys being deferred).
    Elsewhere they run one after another, in the caller's transaction."""
    connection = connections[using]
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            for sql, params in statements:
                cursor.execute(sql, params)
            return
        parts = ", ".join(f"w{i} AS ({sql})" for i, (sql, _params) in enumerate(statements))
        cursor.execute(f"WITH {parts} SELECT 1", [value for _sql, params in statements for value in params])
