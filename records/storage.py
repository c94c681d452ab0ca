"""Where document contents live: Django's storage API, alias "documents" in STORAGES.

The filesystem by default (under MEDIA_ROOT/documents, never served directly); any
S3-compatible store when DOCUMENT_STORAGE=s3 (see docs/deployment.md). Contents are read only
by records.views / records.api after a permission check.
"""

from __future__ import annotations

from django.core.files.storage import Storage, storages


def documents() -> Storage:
    return storages["documents"]
