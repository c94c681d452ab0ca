"""The database holds every constraint and index the models declare.

A migration can lose one without a word: on PostgreSQL, AlterField(db_index=False) on a foreign
key drops every index on that column alone, partial unique indexes included (it cost the
"one live offer per case" rule once). `makemigrations --check` compares the migrations with the
models, never with the database; this compares the database with the models."""

from __future__ import annotations

from django.apps import apps
from django.db import connection

OUR_APPS = {
    "core",
    "parties",
    "cases",
    "audit",
    "records",
    "negotiations",
    "deadlines",
    "integrations",
    "webhooks",
    "docketsync",
    "accounts",
    "demo",
}


def test_every_declared_constraint_and_index_exists(db: None) -> None:
    declared = {
        (model._meta.db_table, item.name)
        for model in apps.get_models()
        if model._meta.app_label in OUR_APPS and model._meta.managed
        for item in [*model._meta.constraints, *model._meta.indexes]
        if item.name
    }
    assert declared  # the models do declare some
    with connection.cursor() as cursor:
        tables = [table for table, _ in declared]
        present = set()
        for table in set(tables):
            names = connection.introspection.get_constraints(cursor, table)
            present |= {(table, name) for name in names}
    assert sorted(declared - present) == []
