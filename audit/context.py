"""Who is acting, handed to the database so that its triggers can record it.

Every request, task and command runs with an AuditContext in a context variable. Before each
write statement, the execute wrapper installed on every connection (audit.signals) stores the
context in the session setting `parley.audit_context`, which the trigger function reads. It is
set again before every write because a rolled-back transaction also rolls back the setting; the
extra round trip is sent on the driver's connection, outside Django's query log.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar, Token
from dataclasses import dataclass, field
from typing import Any

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


def _is_write(sql: str) -> bool:
    """Whether `sql` may write. Leading comments and parentheses do not hide a write."""
    leading = _LEADING.match(sql)
    start = leading.end() if leading else 0
    return sql[start : start + 6].upper().startswith(_WRITES)


def execute_wrapper(
    execute: Callable[..., Any], sql: str, params: Any, many: bool, context: dict[str, Any]
) -> Any:
    if isinstance(sql, str) and _is_write(sql):
        audit = _current.get()
        payload = audit.payload() if audit is not None else ""
        connection = context["connection"].connection
        if connection is not None:
            connection.execute("SELECT set_config(%s, %s, false)", (CONTEXT_SETTING, payload))
    return execute(sql, params, many, context)
