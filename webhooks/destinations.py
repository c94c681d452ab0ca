"""Where webhooks may go, and the HTTP client that goes there.

A webhook URL is chosen by the client, and Parley's workers call it from inside the operator's
network: without a guard, a URL could reach the cloud metadata service (169.254.169.254), the
database, or any internal service (server-side request forgery). So, unless the operator sets
WEBHOOK_ALLOW_PRIVATE_DESTINATIONS, a destination must be http(s) and every address its host
name resolves to must be public. The rule is checked when an endpoint is saved (a 400 on the
URL), before every attempt, and again on the socket itself: the connection is made to the very
address that was checked, so a name that resolves to a public address for the check and to a
private one a moment later (DNS rebinding) gets nowhere.
"""

from __future__ import annotations

import concurrent.futures
import functools
import ipaddress
import os
import socket
import ssl
from collections.abc import Iterable
from urllib.parse import SplitResult, urlsplit

import httpcore
import httpx
from django.conf import settings
from django.utils.translation import gettext as _
from httpcore._backends.sync import SyncBackend, SyncStream

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
SocketOption = (
    tuple[int, int, int] | tuple[int, int, bytes | bytearray] | tuple[int, int, None, int]
)

MAX_URL_LENGTH = 2000
# Shared address space of carrier-grade NAT (RFC 6598): not "private" to Python, not public.
CGNAT = ipaddress.ip_network("100.64.0.0/10")
# NAT64 (RFC 6052) embeds an IPv4 address in the last 32 bits.
NAT64 = ipaddress.ip_network("64:ff9b::/96")


class DestinationRefused(Exception):
    """A destination webhooks may not go to; the message says why, for the person who set it."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def allow_private() -> bool:
    return bool(getattr(settings, "WEBHOOK_ALLOW_PRIVATE_DESTINATIONS", False))


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address stands for (mapped ::ffff:a.b.c.d, 6to4, Teredo,
    NAT64, or the deprecated compatible ::a.b.c.d), if any."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    if address in NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    if int(address) >> 32 == 0 and int(address) > 1:
        return ipaddress.IPv4Address(int(address))
    return None


def address_problem(address: IPAddress) -> str | None:
    """Why webhooks may not go to `address`, or None if they may."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(address)
        if embedded is not None:
            problem = address_problem(embedded)
            return (
                _("%(problem)s (as %(address)s)") % {"problem": problem, "address": address}
                if problem
                else None
            )
    checks = (
        (address.is_unspecified, _("an unspecified address")),
        (address.is_loopback, _("a loopback address")),
        (address.is_link_local, _("a link-local address")),
        (address in CGNAT, _("a carrier-grade NAT address")),
        (address.is_multicast, _("a multicast address")),
        (address.is_reserved, _("a reserved address")),
        (address.is_private, _("a private address")),
        (
            isinstance(address, ipaddress.IPv6Address) and address.is_site_local,
            _("a site-local address"),
        ),
        (not address.is_global, _("not a public address")),
    )
    for refused, what in checks:
        if refused:
            return _("%(address)s is %(what)s") % {"address": address, "what": what}
    return None


def _split(url: str) -> SplitResult:
    if len(url) > MAX_URL_LENGTH:
        raise DestinationRefused(
            _("Keep the URL to %(limit)s characters.") % {"limit": MAX_URL_LENGTH}
        )
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 (raises ValueError for a bad port)
    except ValueError:
        raise DestinationRefused(_("This is not a valid URL.")) from None
    if parts.scheme not in ("http", "https"):
        raise DestinationRefused(_("Webhooks go to http:// or https:// URLs only."))
    if not parts.hostname:
        raise DestinationRefused(_("The URL names no host."))
    if parts.username is not None or parts.password is not None:
        raise DestinationRefused(
            _("Put no user name or password in the URL: messages are signed instead.")
        )
    if any(char.isspace() for char in url):
        raise DestinationRefused(_("A URL has no spaces."))
    if any(ord(char) < 0x20 or ord(char) == 0x7F for char in url):
        raise DestinationRefused(_("This is not a valid URL: it holds control characters."))
    try:
        httpx.URL(url)
    except httpx.InvalidURL:
        raise DestinationRefused(_("This is not a valid URL.")) from None
    return parts


# Name lookups run on a few threads of their own, so that a lookup can be given up on:
# getaddrinfo has no timeout, and a resolver that never answers would otherwise hold a worker.
RESOLVER_THREADS = 4


@functools.cache
def _resolver(pid: int) -> concurrent.futures.ThreadPoolExecutor:
    # One pool per process (keyed by pid): a pool's threads do not survive a fork.
    return concurrent.futures.ThreadPoolExecutor(RESOLVER_THREADS, thread_name_prefix="resolve")


def lookup_timeout() -> float:
    return float(getattr(settings, "WEBHOOK_TIMEOUT", 10.0))


def resolve(host: str, port: int) -> list[IPAddress]:
    """Every address `host` resolves to (the host itself if it is an address), within
    WEBHOOK_TIMEOUT seconds."""
    lookup = _resolver(os.getpid()).submit(socket.getaddrinfo, host, port, type=socket.SOCK_STREAM)
    try:
        infos = lookup.result(timeout=lookup_timeout())
    except concurrent.futures.TimeoutError:
        lookup.cancel()
        raise DestinationRefused(
            _("Looking up %(host)s took longer than %(lookup_timeout)s seconds.")
            % {"host": host, "lookup_timeout": format(lookup_timeout(), "g")}
        ) from None
    except (OSError, UnicodeError, ValueError):  # unknown, badly formed, a NUL in the name
        raise DestinationRefused(_("No address was found for %(host)s.") % {"host": host}) from None
    found: list[IPAddress] = []
    for info in infos:
        # A scoped IPv6 address ("fe80::1%eth0") is link-local: refused below without its scope.
        address = ipaddress.ip_address(str(info[4][0]).split("%", 1)[0])
        if address not in found:
            found.append(address)
    return found


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return False
    return True


def check_addresses(host: str, addresses: Iterable[IPAddress]) -> None:
    if allow_private():
        return
    for address in addresses:
        problem = address_problem(address)
        if problem:
            # A name's addresses are not told: the message must not map an internal network.
            what = (
                problem
                if _is_ip(host)
                else _("%(host)s resolves to a non-public address") % {"host": host}
            )
            raise DestinationRefused(
                _(
                    "%(what)s: webhooks go to public addresses only, unless the operator "
                    "allows private destinations (WEBHOOK_ALLOW_PRIVATE_DESTINATIONS)."
                )
                % {"what": what}
            )


def check_url(url: str) -> str:
    """Refuse (DestinationRefused) a URL webhooks may not go to; return it cleaned."""
    url = url.strip()
    parts = _split(url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    check_addresses(host, resolve(host, port))
    # urlsplit lowercased the scheme ("HTTPS://…" → "https://…"): keep that form.
    return parts.geturl()


class GuardedBackend(SyncBackend):
    """httpcore's socket layer, connecting only to addresses `check_addresses` allows, and to
    the very address it checked."""

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[SocketOption] | None = None,
    ) -> SyncStream:
        addresses = resolve(host, port)
        check_addresses(host, addresses)
        error: OSError | None = None
        for address in addresses:
            try:
                sock = socket.create_connection((str(address), port), timeout)
            except TimeoutError as exc:
                raise httpcore.ConnectTimeout(str(exc)) from exc
            except OSError as exc:
                error = exc
                continue
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            return SyncStream(sock)
        raise httpcore.ConnectError(
            str(error or _("Could not connect to %(host)s.") % {"host": host})
        )


@functools.cache
def _ssl_context() -> ssl.SSLContext:
    # Loading the CA bundle takes ~25 ms: once per process, not per delivery.
    return httpx.create_ssl_context(trust_env=False)


def http_client() -> httpx.Client:
    """A client for one delivery: no proxies from the environment (the guard must see the real
    destination), no redirects followed (a 3xx is an answer, and could point inside), the
    operator's timeout. No connection outlives it, so none escapes the guard's next check."""
    timeout = float(getattr(settings, "WEBHOOK_TIMEOUT", 10.0))
    transport = httpx.HTTPTransport(verify=_ssl_context(), trust_env=False, retries=0)
    # httpx has no public hook for the socket layer; its pool takes one.
    transport._pool = httpcore.ConnectionPool(
        ssl_context=_ssl_context(),
        max_connections=1,
        network_backend=GuardedBackend(),
    )
    return httpx.Client(
        transport=transport,
        timeout=httpx.Timeout(timeout),
        follow_redirects=False,
        trust_env=False,
        headers={"user-agent": "Parley-Webhooks/1"},
    )
