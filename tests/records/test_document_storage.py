"""Where documents are kept: the filesystem by default, any S3-compatible store by setting."""

from __future__ import annotations

from typing import Any

import pytest
from storages.backends.s3 import S3Storage

from config.settings.base import document_storage


def test_the_default_is_a_private_directory_never_served(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DOCUMENT_STORAGE", raising=False)
    config = document_storage()
    assert config["BACKEND"] == "django.core.files.storage.FileSystemStorage"
    options: Any = config["OPTIONS"]
    assert str(options["location"]).endswith("media/documents")
    assert options["file_permissions_mode"] == 0o600
    assert options["directory_permissions_mode"] == 0o700


def test_s3_compatible_storage_is_configured_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DOCUMENT_STORAGE", "s3")
    monkeypatch.setenv("DOCUMENT_S3_BUCKET", "parley-documents")
    monkeypatch.setenv("DOCUMENT_S3_ENDPOINT_URL", "http://127.0.0.1:9000")
    monkeypatch.setenv("DOCUMENT_S3_ACCESS_KEY_ID", "key-id")
    monkeypatch.setenv("DOCUMENT_S3_SECRET_ACCESS_KEY", "not-a-real-secret")
    config = document_storage()
    assert config["BACKEND"] == "storages.backends.s3.S3Storage"
    options: Any = config["OPTIONS"]
    # The backend accepts the options as given (no network is used to build it).
    storage = S3Storage(**options)
    assert storage.bucket_name == "parley-documents"
    assert storage.endpoint_url == "http://127.0.0.1:9000"
    assert storage.default_acl == "private"
    assert storage.querystring_auth is True
    assert storage.file_overwrite is False
    assert storage.location == "documents"


def test_s3_without_a_bucket_refuses_to_start(monkeypatch: pytest.MonkeyPatch) -> None:
    from django.core.exceptions import ImproperlyConfigured

    monkeypatch.setenv("DOCUMENT_STORAGE", "s3")
    monkeypatch.delenv("DOCUMENT_S3_BUCKET", raising=False)
    with pytest.raises(ImproperlyConfigured, match="DOCUMENT_S3_BUCKET"):
        document_storage()
