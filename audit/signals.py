"""Hooks: the execute wrapper on every database connection, sign-in events, Celery tasks."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.backends.signals import connection_created

from audit import context, services


def _install_wrapper(sender: Any, connection: Any, **kwargs: Any) -> None:
    if context.execute_wrapper not in connection.execute_wrappers:
        connection.execute_wrappers.append(context.execute_wrapper)


def _logged_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    services.record("auth.login", actor=user, request=request)


def _logged_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        services.record("auth.logout", actor=user, request=request)


def _login_failed(sender: Any, credentials: dict[str, Any], request: Any = None, **kw: Any) -> None:
    # Only the username tried; never the password (Django already masks it in `credentials`).
    username = str(credentials.get("username", ""))[:150]
    services.record("auth.login_failed", request=request, data={"username": username})


_task_tokens: dict[str, Any] = {}


def _task_started(sender: Any = None, task_id: str = "", task: Any = None, **kwargs: Any) -> None:
    name = getattr(task, "name", "") or ""
    audit = context.AuditContext(via="task", request_id=f"{name}:{task_id}"[:64])
    _task_tokens[task_id] = context.bind(audit)


def _task_finished(sender: Any = None, task_id: str = "", **kwargs: Any) -> None:
    token = _task_tokens.pop(task_id, None)
    if token is not None:
        context.unbind(token)


def connect() -> None:
    connection_created.connect(_install_wrapper, dispatch_uid="audit_execute_wrapper")
    # A connection opened before this app was ready (there is none in practice) gets it too.
    from django.db import connections

    for conn in connections.all(initialized_only=True):
        _install_wrapper(None, conn)
    user_logged_in.connect(_logged_in, dispatch_uid="audit_login")
    user_logged_out.connect(_logged_out, dispatch_uid="audit_logout")
    user_login_failed.connect(_login_failed, dispatch_uid="audit_login_failed")
    from celery.signals import task_postrun, task_prerun

    task_prerun.connect(_task_started, weak=False, dispatch_uid="audit_task_started")
    task_postrun.connect(_task_finished, weak=False, dispatch_uid="audit_task_finished")
