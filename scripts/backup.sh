#!/usr/bin/env bash
# Back up Parley into a new directory: manifest.json, parley.dump, documents.tar, SHA256SUMS.
#
#   DATABASE_URL=... MEDIA_ROOT=... scripts/backup.sh /backups/parley-$(date +%F)
#
# Run it where the app runs (same environment: DATABASE_URL, MEDIA_ROOT or DOCUMENT_STORAGE,
# DJANGO_SETTINGS_MODULE and its secrets). The order matters: the manifest counts rows first,
# the dump comes next and so holds at least those rows, and the documents are copied last,
# because a document's file is written before its row commits and is never changed or removed:
# every row in the dump then has its file in the copy. See docs/deployment.md, "Backup and
# restore".
#
#   PG_DUMP  pg_dump to use (default: pg_dump on PATH; its major version must be at least the
#            server's)
#   PYTHON   the app's Python (default: python)
set -euo pipefail

dest="${1:?usage: scripts/backup.sh DEST_DIR}"
: "${DATABASE_URL:?set DATABASE_URL}"
PG_DUMP="${PG_DUMP:-pg_dump}"
PYTHON="${PYTHON:-python}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

if [ -e "$dest" ] && [ -n "$(ls -A "$dest")" ]; then
    echo "backup: $dest is not empty; give a new directory" >&2
    exit 2
fi
umask 077  # the dump holds password hashes and webhook secrets; the documents are case files
mkdir -p "$dest"

# 1. What the dump must hold at least. A problem found here (a missing trigger, say) is
# reported, but the backup is still taken.
verified=0
"$PYTHON" "$root/manage.py" verify_backup --skip-documents --json >"$dest/manifest.json" ||
    verified=$?

# 2. The database: one consistent snapshot, custom format (compressed; pg_restore picks parts).
"$PG_DUMP" --format=custom --no-password --file="$dest/parley.dump" "$DATABASE_URL"

# 3. The documents, after the dump.
files=(manifest.json parley.dump)
if [ "${DOCUMENT_STORAGE:-filesystem}" = "s3" ]; then
    echo "backup: documents are in the S3 bucket ${DOCUMENT_S3_BUCKET:-?}; back it up with" \
        "the bucket's own versioning or replication" >&2
else
    media="${MEDIA_ROOT:-$root/.data/media}"
    if [ -d "$media/documents" ]; then
        tar -C "$media" -cf "$dest/documents.tar" documents
    else
        tar -cf "$dest/documents.tar" --files-from=/dev/null  # no document uploaded yet
    fi
    files+=(documents.tar)
fi

(cd "$dest" && sha256sum "${files[@]}" >SHA256SUMS)
echo "backup: written to $dest (${files[*]})" >&2
if [ "$verified" -ne 0 ]; then
    echo "backup: verify_backup found problems in the live database; see $dest/manifest.json" >&2
    exit "$verified"
fi
