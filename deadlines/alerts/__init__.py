"""Alerts: reminders before court dates, one-off notices, their delivery, the inbox.

Planning writes Alert rows; delivering turns a due row into a Notification or an e-mail.

- Planning is idempotent. Each alert has a unique key (subject, date, target moment, recipient,
  lead time, channel): planning twice inserts nothing new (INSERT … ON CONFLICT DO NOTHING),
  and pending reminders that are no longer wanted (the date moved, was cancelled, held or met,
  the person lost access or changed their preferences) are cancelled in one UPDATE.
- Delivery is once per alert, by one sweep per channel (deadlines.tasks: in-app alerts never
  wait on e-mail). A sweep claims a batch with one conditional UPDATE (a claim token and a
  lease) and delivers each alert only if the claim is still its own. A worker that dies leaves
  its claims to expire; the next sweep takes them over. In-app notifications are written in the
  same transaction as the flip to `sent` (and `Notification.alert` is unique). An e-mail is
  claimed, marked `sending`, handed to the mail server outside any transaction, then recorded
  `sent`, the record retried on a new connection if the old one was cut; a later sweep that
  finds it recorded sends nothing (see _deliver_email for the one case that may repeat, under
  the same Message-ID).

The modules, each importing only those above it:

- common: the log, a date's moment and recipients, the Alert rows and their insert
- preferences: what each person wants (lead times, channels, digest settings)
- walls: how much of an alert its reader may be shown
- planning: reminders planned and replanned
- choices: a person sets their preferences and digest
- notices: one-off alerts: hearing changed, offer expired, deadline missed
- claims: claiming due alerts, and what becomes of a claim not sent
- rendering: an alert's title and body; digest lines
- mail: an alert's e-mail and its delivery
- delivery: the sweep, and in-app delivery
- digests: the daily digest queued
"""

from deadlines.models import DEFAULT_LEAD_MINUTES as DEFAULT_LEAD_MINUTES

from .choices import MAX_LEAD_MINUTES as MAX_LEAD_MINUTES
from .choices import MAX_LEADS as MAX_LEADS
from .choices import alert_preference_set as alert_preference_set
from .choices import alert_settings_set as alert_settings_set
from .claims import _CLAIM_SQL as _CLAIM_SQL
from .claims import LOST_WHILE_SENDING as LOST_WHILE_SENDING
from .claims import RECONNECT_DELAYS as RECONNECT_DELAYS
from .claims import RETRY_BASE_SECONDS as RETRY_BASE_SECONDS
from .claims import RETRY_MAX_SECONDS as RETRY_MAX_SECONDS
from .claims import _claim_params as _claim_params
from .claims import _retry_delay as _retry_delay
from .claims import claim_batch as claim_batch
from .common import DIGEST_DAYS as DIGEST_DAYS
from .common import AlertKey as AlertKey
from .common import DateObj as DateObj
from .common import logger as logger
from .common import moment_of as moment_of
from .delivery import SweepResult as SweepResult
from .delivery import deliver as deliver
from .delivery import sweep as sweep
from .digests import digests_send_due as digests_send_due
from .mail import DEFAULT_MESSAGE_DOMAIN as DEFAULT_MESSAGE_DOMAIN
from .mail import _deliver_email as _deliver_email
from .mail import message_id as message_id
from .notices import escalate_missed as escalate_missed
from .notices import escalation_recipients as escalation_recipients
from .notices import notify_hearing_changed as notify_hearing_changed
from .notices import notify_offer_expired as notify_offer_expired
from .planning import PlanResult as PlanResult
from .planning import plan_for_case as plan_for_case
from .planning import plan_for_deadline as plan_for_deadline
from .planning import plan_for_hearing as plan_for_hearing
from .planning import plan_for_new_hearings as plan_for_new_hearings
from .planning import plan_for_user as plan_for_user
from .preferences import EffectivePreference as EffectivePreference
from .preferences import alert_settings_of as alert_settings_of
from .preferences import preferences_of as preferences_of
from .rendering import RenderedAlert as RenderedAlert
from .rendering import digest_line as digest_line
from .rendering import escalation_leads_of_office as escalation_leads_of_office
from .rendering import format_day as format_day
from .rendering import format_day_iso as format_day_iso
from .rendering import format_moment as format_moment
from .rendering import humanize_until as humanize_until
from .rendering import render_alert as render_alert
from .walls import FULL_VIEW as FULL_VIEW
from .walls import OFFICE_VIEW as OFFICE_VIEW
from .walls import alert_view as alert_view

__all__ = [
    "DEFAULT_LEAD_MINUTES",
    "EffectivePreference",
    "PlanResult",
    "RenderedAlert",
    "SweepResult",
    "alert_preference_set",
    "alert_settings_of",
    "alert_settings_set",
    "claim_batch",
    "deliver",
    "digests_send_due",
    "escalate_missed",
    "escalation_recipients",
    "moment_of",
    "notify_hearing_changed",
    "notify_offer_expired",
    "plan_for_case",
    "plan_for_deadline",
    "plan_for_hearing",
    "plan_for_new_hearings",
    "plan_for_user",
    "preferences_of",
    "render_alert",
    "sweep",
]
