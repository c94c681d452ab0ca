"""Where `?next=` may send a person after signing in (or out): a path of this site, and nothing
that any browser, proxy or decoder could read as another host."""

from __future__ import annotations

from urllib.parse import unquote, urlsplit

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme

MAX_LENGTH = 2000


def _decoded(value: str) -> str:
    """Percent-decoded until nothing changes (at most a few rounds: %252F → %2F → /)."""
    for _ in range(5):
        decoded = unquote(value)
        if decoded == value:
            break
        value = decoded
    return value


def _is_plain_path(value: str, *, lowest: int) -> bool:
    if any(ord(c) < lowest or c == "\x7f" or c == "\\" for c in value):
        return False  # control characters (tabs, line breaks, NUL), backslashes
    if not value.startswith("/") or value.startswith("//"):
        return False
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return False
    segments = parts.path.split("/")
    # "//" inside the path, or "." and ".." segments a browser would collapse into one.
    return "" not in segments[1:-1] and not {".", ".."} & set(segments)


def safe_next(value: str | None, request: HttpRequest) -> str:
    """`value` if it is a path of this site, else ""."""
    if not value or len(value) > MAX_LENGTH or not value.isascii():
        return ""
    # As sent (where even a space is out of place) and as any decoder could read it.
    if not (_is_plain_path(value, lowest=0x21) and _is_plain_path(_decoded(value), lowest=0x20)):
        return ""
    if not url_has_allowed_host_and_scheme(
        value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return ""
    return value
