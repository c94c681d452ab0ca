"""Indexes for the pickers of the case page (parties.selectors.people_who_may_take_part and
defendants_found_for): a name's parts joined by a space, in capitals, compared byte by byte, as
"first last", "last first" and, for people, the username.

Each expression is spelled exactly as parties.selectors._NameKey compiles, or PostgreSQL would
not use it. COLLATE "C" lets one B-tree serve LIKE 'PREFIX%' (an index range whatever the
database's collation) and the order of its keys (the defendant search walks it from the prefix
and stops early). The auth_user indexes are SQL because auth.User is Django's model; the
defendant's are beside them so that the pickers' indexes are read in one place. pg_trgm (for
"contains") is not in the embedded PostgreSQL (pgserver), so the pickers search by prefix.
"""

from django.db import migrations

INDEXES = {
    "auth_user_first_last_search": ("auth_user", "first_name || ' ' || last_name"),
    "auth_user_last_first_search": ("auth_user", "last_name || ' ' || first_name"),
    "auth_user_username_search": ("auth_user", "username"),
    "defendant_first_last_search": ("parties_defendant", "first_name || ' ' || last_name"),
    "defendant_last_first_search": ("parties_defendant", "last_name || ' ' || first_name"),
}


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("parties", "0007_conflicts_as_facts"),
    ]

    operations = [
        migrations.RunSQL(
            sql=f'CREATE INDEX {name} ON {table} ((UPPER({key}) COLLATE "C"))',
            reverse_sql=f"DROP INDEX {name}",
        )
        for name, (table, key) in INDEXES.items()
    ]
