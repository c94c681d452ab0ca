#!/usr/bin/env bash
# Restore a directory written by scripts/backup.sh into an empty database and document store,
# then verify it.
#
#   DATABASE_URL=... MEDIA_ROOT=... [APP_ROLE=parley_app] scripts/restore.sh /backups/parley-2026-11-30
#
# DATABASE_URL names an existing, empty database (createdb, never `migrate` first: the
# migrations' triggers would record every restored row again) and connects as the role that is
# to own the tables, or a superuser. The roles the dump grants to must exist on the server
# beforehand (docs/deployment.md, "Backup and restore"): the restore stops at the first error,
# in one transaction, so a missing role leaves nothing half-written. APP_ROLE is checked
# afterwards: it may append to the audit trail and do nothing else to it.
#
#   PG_RESTORE, PSQL  the tools to use (default: on PATH; at least the server's major version)
#   PYTHON            the app's Python (default: python)
set -euo pipefail

src="${1:?usage: scripts/restore.sh BACKUP_DIR}"
: "${DATABASE_URL:?set DATABASE_URL}"
PG_RESTORE="${PG_RESTORE:-pg_restore}"
PSQL="${PSQL:-psql}"
PYTHON="${PYTHON:-python}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

(cd "$src" && sha256sum --check --quiet SHA256SUMS)

tables="$("$PSQL" --no-password --no-psqlrc -Atc \
    "SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace" "$DATABASE_URL")"
if [ "$tables" != "0" ]; then
    echo "restore: the database already holds $tables relations; restore into an empty one" >&2
    exit 2
fi

# Owners, grants and triggers come from the dump: no --no-owner, no --no-privileges. Triggers
# are created after the data is loaded, so loading records nothing in the trail.
"$PG_RESTORE" --exit-on-error --single-transaction --no-password \
    --dbname="$DATABASE_URL" "$src/parley.dump"

if [ -f "$src/documents.tar" ]; then
    media="${MEDIA_ROOT:-$root/.data/media}"
    if [ -n "$(ls -A "$media/documents" 2>/dev/null)" ]; then
        echo "restore: $media/documents is not empty; the database is restored, documents not" >&2
        exit 2
    fi
    mkdir -p "$media"
    tar -C "$media" -xf "$src/documents.tar"
fi

# Transaction ids belong to a server: start the webhook sweep again at the end of the event
# log (docs/deployment.md, "The event log and the change feed").
"$PSQL" --no-password --no-psqlrc -v ON_ERROR_STOP=1 -qc \
    "DELETE FROM webhooks_fanoutcursor; DELETE FROM webhooks_fannedout;" "$DATABASE_URL"

"$PYTHON" "$root/manage.py" verify_backup --expect "$src/manifest.json" \
    ${APP_ROLE:+--app-role "$APP_ROLE"}
