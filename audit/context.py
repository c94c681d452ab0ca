"""Who is acting, handed to the database so that its triggers can record it.

Every request, task and command runs with an AuditContext in a context variable. The execute
wrapper installed on every connection (audit.signals) hands it to PostgreSQL in the setting
`parley.audit_context`, which the trigger function reads; empty (or never set) means nobody is
acting, and the trigger records no user.

The setting is only ever made for the transaction (`set_config(..., true)`): it ends with the
transaction, committed or rolled back, so a connection kept between requests (CONN_MAX_AGE,
the pool) never lends one request's user to the next, and a session's own value stays empty.
It costs at most one round trip a transaction instead of one a write:

- In a transaction it is sent before the first write and again only when it would differ: the
  context changed (DRF knows the user only once the view has authenticated them), or a
  rollback to a savepoint undid it (a setting made inside a savepoint goes with it). The
  wrapper follows the transaction from the driver's status (no transaction open: nothing is
  set) and from the savepoint statements Django sends through this same wrapper.
- Outside one (autocommit) a write is a transaction of its own: BEGIN, the setting, the write
  and COMMIT go out together in one pipeline, so the write costs no extra round trip; with
  nobody acting nothing extra is sent at all.

These are sent on the driver's connection, outside Django's query log (and so outside the
query counts tests pin). A write the wrapper cannot see (SQL given to psycopg directly, or
a statement it does not take for a write, such as a SELECT of a function that writes) is
recorded with whatever the transaction holds: the context if a write before it set it,
otherwise nobody.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from contextvars import ContextVar, Token
from dataclasses import dataclass, field
from typing import Any
from weakref import WeakKeyDictionary

import psycopg
from psycopg import pq

from audit.sql import CONTEXT_SETTING

_WRITES = ("INSERT", "UPDATE", "DELETE", "MERGE", "WITH", "COPY")


@dataclass
class AuditContext:
    via: str
    request_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    ip: str | None = None
    method: str = ""
    path: str = ""
    # The user, or something that yields them once known (DRF authenticates inside the view).
    actor: Callable[[], Any] | None = None

    def payload(self) -> str:
        actor = self.actor_user()
        return json.dumps(
            {
                "via": self.via,
                "request_id": self.request_id,
                "ip": self.ip,
                "method": self.method or None,
                "path": self.path[:300] or None,
                "actor_id": actor.pk if actor is not None else None,
                "actor_name": actor.get_username() if actor is not None else "",
            }
        )

    def actor_user(self) -> Any:
        actor = self.actor() if self.actor is not None else None
        return actor if actor is not None and getattr(actor, "is_authenticated", False) else None


_current: ContextVar[AuditContext | None] = ContextVar("parley_audit_context", default=None)


def current() -> AuditContext | None:
    return _current.get()


def bind(context: AuditContext) -> Token[AuditContext | None]:
    return _current.set(context)


def unbind(token: Token[AuditContext | None]) -> None:
    _current.reset(token)


@contextmanager
def acting(context: AuditContext) -> Iterator[AuditContext]:
    token = _current.set(context)
    try:
        yield context
    finally:
        _current.reset(token)


# What may come before the first keyword of a statement: white space, comments, parentheses.
_LEADING = re.compile(r"(?:\s|--[^\n]*|/\*.*?\*/|\()*", re.DOTALL)
_IDENTIFIER = r'("(?:[^"]|"")+"|[^\s;"]+)'
_SAVEPOINT = re.compile(rf"SAVEPOINT\s+{_IDENTIFIER}", re.IGNORECASE)
_RELEASE = re.compile(rf"RELEASE(?:\s+SAVEPOINT)?\s+{_IDENTIFIER}", re.IGNORECASE)
_ROLLBACK_TO = re.compile(
    rf"ROLLBACK(?:\s+(?:WORK|TRANSACTION))?\s+TO(?:\s+SAVEPOINT)?\s+{_IDENTIFIER}", re.IGNORECASE
)

# A query with WITH writes only if one of its parts does (or it locks rows: taken as a write).
_WRITE_IN_WITH = re.compile(r"\b(?:INSERT|UPDATE|DELETE|MERGE)\b", re.IGNORECASE)

_SET_CONTEXT = "SELECT set_config(%s, %s, true)"

_IDLE = pq.TransactionStatus.IDLE
_INTRANS = pq.TransactionStatus.INTRANS
_ACTIVE = pq.TransactionStatus.ACTIVE
_INERROR = pq.TransactionStatus.INERROR
_PIPELINE = psycopg.Pipeline.is_supported()


def _start(sql: str) -> int:
    leading = _LEADING.match(sql)
    return leading.end() if leading else 0


def _name(identifier: str) -> str:
    """A savepoint's name as PostgreSQL compares it: quoted as written, otherwise lower case."""
    if identifier.startswith('"'):
        return identifier[1:-1].replace('""', '"')
    return identifier.lower()


@dataclass
class _Transaction:
    """What the open transaction of one database session holds of the setting, as far as the
    wrapper has seen it."""

    savepoints: list[str] = field(default_factory=list)
    # Each setting made, with the number of savepoints open when it was made: rolling back to
    # one of those savepoints keeps it, rolling back to a later one undoes it.
    made: list[tuple[int, str]] = field(default_factory=list)
    known: bool = True

    def in_effect(self) -> str | None:
        """The context the triggers would read now ("" for nobody), None if unknown."""
        if not self.known:
            return None
        return self.made[-1][1] if self.made else ""

    def set(self, payload: str) -> None:
        self.made.append((len(self.savepoints), payload))
        self.known = True

    def savepoint(self, name: str) -> None:
        self.savepoints.append(name)

    def _find(self, name: str) -> int | None:
        for at in range(len(self.savepoints) - 1, -1, -1):
            if self.savepoints[at] == name:
                return at
        return None

    def released(self, name: str) -> None:
        at = self._find(name)
        if at is None:
            self.lose_track()
            return
        # The savepoint and every later one are gone; what was set in them stays, now part of
        # the level around them.
        del self.savepoints[at:]
        self.made = [(min(level, at), payload) for level, payload in self.made]

    def rolled_back_to(self, name: str) -> None:
        at = self._find(name)
        if at is None:
            self.lose_track()
            return
        # The savepoint stays, later ones are gone, and so is whatever was set since it was made.
        del self.savepoints[at + 1 :]
        self.made = [(level, payload) for level, payload in self.made if level <= at]

    def lose_track(self) -> None:
        """A savepoint the wrapper did not see, or a statement about one that failed: the next
        write sets the context whatever it was."""
        self.savepoints.clear()
        self.made.clear()
        self.known = False


# One entry per database session (the driver's connection) that has an open transaction.
_transactions: WeakKeyDictionary[Any, _Transaction] = WeakKeyDictionary()


def _transaction_of(driver: Any) -> _Transaction:
    found = _transactions.get(driver)
    if found is None:
        found = _transactions[driver] = _Transaction()
    return found


def _set_context(database: Any, driver: Any, payload: str) -> None:
    with database.wrap_database_errors:
        driver.execute(_SET_CONTEXT, (CONTEXT_SETTING, payload))


def _write_alone(
    execute: Callable[..., Any],
    sql: str,
    params: Any,
    many: bool,
    context: dict[str, Any],
    driver: Any,
    payload: str,
    keyword: str,
) -> Any:
    """A write in autocommit, in a transaction of its own that begins with the setting: BEGIN,
    the setting, the write and COMMIT go out together in one pipeline, one round trip.

    The transaction is explicit because psycopg (3.3) cannot report an error raised when an
    implicit one commits at the pipeline's end (a deferred foreign key): the connection would
    be left unusable. An error in an explicit one is the answer to a statement like any other.
    """
    database = context["connection"]
    pipeline = (
        _PIPELINE
        and not keyword.startswith("COPY")
        and not isinstance(getattr(context["cursor"], "cursor", None), psycopg.ServerCursor)
    )
    try:
        with database.wrap_database_errors:
            if pipeline:
                with driver.pipeline():
                    driver.execute("BEGIN")
                    driver.execute(_SET_CONTEXT, (CONTEXT_SETTING, payload))
                    result = execute(sql, params, many, context)
                    driver.execute("COMMIT")
                return result
            # COPY and server-side cursors have no place in a pipeline: one round trip each.
            with driver.transaction():
                driver.execute(_SET_CONTEXT, (CONTEXT_SETTING, payload))
                return execute(sql, params, many, context)
    except BaseException:
        # The write failed, or was interrupted (a task's time limit) before COMMIT was sent:
        # the transaction must not stay open under a connection Django thinks in autocommit.
        if driver.pgconn.transaction_status in (_INTRANS, _INERROR):
            with suppress(psycopg.Error):
                driver.execute("ROLLBACK")
        raise


def _write(
    execute: Callable[..., Any],
    sql: str,
    params: Any,
    many: bool,
    context: dict[str, Any],
    driver: Any,
    status: pq.TransactionStatus,
    keyword: str,
) -> Any:
    audit = _current.get()
    payload = audit.payload() if audit is not None else ""
    if status == _IDLE and driver.autocommit:
        if not payload:
            return execute(sql, params, many, context)
        return _write_alone(execute, sql, params, many, context, driver, payload, keyword)
    if status in (_IDLE, _INTRANS):
        # (Idle without autocommit: the first statement begins the transaction.)
        transaction = _transaction_of(driver)
        if transaction.in_effect() != payload:
            _set_context(context["connection"], driver, payload)
            transaction.set(payload)
    elif status == _ACTIVE:
        # Inside a pipeline the caller opened: set, for whichever transaction this is.
        _set_context(context["connection"], driver, payload)
        _transactions.pop(driver, None)
    # Otherwise the transaction has failed, and so will the write.
    return execute(sql, params, many, context)


def _savepoint_statement(
    execute: Callable[..., Any],
    sql: str,
    params: Any,
    many: bool,
    context: dict[str, Any],
    driver: Any,
    start: int,
) -> Any:
    transaction = _transaction_of(driver)
    try:
        result = execute(sql, params, many, context)
    except BaseException:
        transaction.lose_track()
        raise
    if match := _SAVEPOINT.match(sql, start):
        transaction.savepoint(_name(match[1]))
    elif match := _RELEASE.match(sql, start):
        transaction.released(_name(match[1]))
    elif match := _ROLLBACK_TO.match(sql, start):
        transaction.rolled_back_to(_name(match[1]))
    # (A whole ROLLBACK ends the transaction: the next statement finds the session idle.)
    return result


def execute_wrapper(
    execute: Callable[..., Any], sql: str, params: Any, many: bool, context: dict[str, Any]
) -> Any:
    driver = context["connection"].connection
    if driver is None or not isinstance(sql, str):
        return execute(sql, params, many, context)
    status = driver.pgconn.transaction_status
    if status == _IDLE and _transactions:
        # No transaction is open: whatever was set ended with the last one.
        _transactions.pop(driver, None)
    start = _start(sql)
    keyword = sql[start : start + 9].upper()
    # Leading comments and parentheses do not hide a write.
    if keyword.startswith(_WRITES) and (
        not keyword.startswith("WITH") or _WRITE_IN_WITH.search(sql, start)
    ):
        return _write(execute, sql, params, many, context, driver, status, keyword)
    if keyword.startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")):
        return _savepoint_statement(execute, sql, params, many, context, driver, start)
    return execute(sql, params, many, context)
