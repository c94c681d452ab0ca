"""E-mail: the message of an alert, and its delivery (claim, mark `sending`, hand to the mail
server outside any transaction, record `sent`)."""

from __future__ import annotations

import datetime as dt
import smtplib
import uuid

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.db.models import Case as SqlCase
from django.db.models import Value, When
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from deadlines.alerts.claims import (
    _DATABASE_ERRORS,
    LOST_WHILE_SENDING,
    _back_to_pending,
    _end_unsent,
    _not_to_send,
    _with_reconnect,
)
from deadlines.alerts.common import logger
from deadlines.alerts.rendering import RenderedAlert, render_alert
from deadlines.alerts.walls import _recipient_view, _still_concerns
from deadlines.models import Alert, AlertStatus
from parties.selectors import language_of_user


def _absolute(url: str) -> str:
    base = getattr(settings, "ALERT_SITE_URL", "") or ""
    return f"{base.rstrip('/')}{url}" if base else url


def message_id(alert: Alert) -> str:
    domain = DEFAULT_MESSAGE_DOMAIN
    return f"<alert-{alert.pk}@{domain}>"


DEFAULT_MESSAGE_DOMAIN = "alerts.parley"


def _email_message(alert: Alert, message: RenderedAlert) -> EmailMessage:
    body = render_to_string(
        "deadlines/email/alert.txt",
        {
            "alert": alert,
            "recipient": alert.recipient,
            "title": message.title,
            "body": message.body,
            "url": _absolute(message.url),
        },
    )
    return EmailMessage(
        subject=message.title.replace("\n", " ")[:250],
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[alert.recipient.email],
        headers={"Message-ID": message_id(alert), "X-Parley-Alert": str(alert.pk)},
    )


def _hand_to_mail_server(backend: BaseEmailBackend, email: EmailMessage) -> None:
    """Send `email` on `backend` (EMAIL_TIMEOUT bounds every wait on the SMTP server); raises
    unless the server accepted it. The caller closes the connection, after the record."""
    backend.open()
    if backend.send_messages([email]) != 1:
        raise smtplib.SMTPException(_("The mail server did not accept the message."))


def _deliver_email(alert: Alert, *, token: uuid.UUID, now: dt.datetime) -> str:
    """Claim, mark, send, record; no transaction is open and no row is locked while the mail
    server is waited on.

    1. The claim (committed by the sweep) is checked and the message rendered.
    2. The alert is marked `sending` (committed): from here an attempt may leave.
    3. The message is handed to the mail server, every wait bounded by EMAIL_TIMEOUT.
    4. `sent` is recorded in one short statement, again on a new connection if the database
       connection was cut in between (else the message has left, its record is lost, and a
       later sweep sends it again). A try that finds it already recorded under our claim (the
       commit landed, its answer did not) counts it sent.

    A refused or failed attempt goes back to pending after a backoff. A worker that dies after
    the server accepted the message and before the record leaves the alert `sending`; once
    the lease has run out the next sweep sends it again, under the same Message-ID (so a mail
    client shows it once) and with LOST_WHILE_SENDING in its last_error. Nothing tells an
    attempt that died before the server accepted it from one that died after, and a reminder
    of a court date must not be lost, so at most that one message can arrive twice."""
    try:
        status = _not_to_send(alert, now=now)
        view = _recipient_view(alert) if status is None and _still_concerns(alert) else None
        if status is None and view is None:
            status = AlertStatus.CANCELLED
        if status is not None:
            return _end_unsent(alert, token, status)
        assert view is not None
        # In the recipient's language: a worker has no request to take one from.
        with translation.override(language_of_user(alert.recipient) or settings.LANGUAGE_CODE):
            email = _email_message(alert, render_alert(alert, now=now, view=view))
    except Exception as error:  # reading or rendering failed: tried again after a backoff
        return _back_to_pending(alert, token=token, now=now, error=error, was=AlertStatus.CLAIMED)

    marked = _with_reconnect(
        lambda: Alert.objects.filter(
            pk=alert.pk, claim_token=token, status=AlertStatus.CLAIMED
        ).update(status=AlertStatus.SENDING, claimed_at=timezone.now())
    )
    if not marked:
        return "skipped"
    if alert.last_error == LOST_WHILE_SENDING:
        logger.warning("alert %s: an earlier attempt was lost in flight; sending again", alert.pk)
    backend = get_connection(fail_silently=False)
    try:
        try:
            _hand_to_mail_server(backend, email)
        except Exception as error:
            outcome = _back_to_pending(
                alert, token=token, now=now, error=error, was=AlertStatus.SENDING
            )
            return "timed_out" if outcome == "retry" and _timed_out(error) else outcome
        return _record_sent(alert, token=token, now=now)
    finally:
        _close_quietly(backend)


def _record_sent(alert: Alert, *, token: uuid.UUID, now: dt.datetime) -> str:
    """The mail server accepted the message: record it, whatever it takes."""
    keep_note = SqlCase(
        When(last_error=LOST_WHILE_SENDING, then=Value(LOST_WHILE_SENDING)), default=Value("")
    )
    try:
        if _with_reconnect(
            lambda: Alert.objects.filter(
                pk=alert.pk, claim_token=token, status=AlertStatus.SENDING
            ).update(status=AlertStatus.SENT, sent_at=now, last_error=keep_note)
        ):
            return "sent"
        if _with_reconnect(
            lambda: Alert.objects.filter(
                pk=alert.pk, claim_token=token, status=AlertStatus.SENT
            ).exists()
        ):
            return "sent"  # an earlier try of this record committed; its answer was lost
    except _DATABASE_ERRORS:
        logger.exception(
            "alert %s was accepted by the mail server but could not be recorded; after the "
            "lease it is sent again under the same Message-ID",
            alert.pk,
        )
        raise
    # Only a worker held longer than the lease (its time limits prevent it) gets here.
    logger.error("alert %s was sent after its claim had been taken over", alert.pk)
    return "sent"


def _timed_out(error: BaseException) -> bool:
    """Whether the mail server stopped answering (smtplib reports a read that timed out as a
    lost connection; the timeout is its cause)."""
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, TimeoutError):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _close_quietly(backend: BaseEmailBackend) -> None:
    try:
        backend.close()
    except Exception:  # the message is recorded already; a failed QUIT changes nothing
        logger.warning("closing the mail server connection failed", exc_info=True)
