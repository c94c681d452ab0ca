"""Writes about court dates: courtrooms, closure days, hearings and deadlines.

Each public function is one transaction. Changes to a case's hearings and deadlines lock the
case row first (like the negotiation services), so two clerks moving the same hearing are
served one after the other and the second sees what the first did. Who may act is decided in
cases.permissions; every change writes its history row (HearingChange, DeadlineChange) in the
same transaction, and replans the alerts (deadlines.alerts) there too.

A computed deadline keeps its rule, trigger and computed date; an override sets another due
date with a reason and survives a moved trigger (the computed date follows the trigger, the
override stays). The negotiation's own deadlines (an offer's expiry, the response owed to a
defense suggestion) follow their offer or suggestion (offer_expiry_sync,
suggestion_response_sync) and are never edited by hand.

The modules, each importing only those above it:

- common: what the others share (the case lock, rule arithmetic, history rows, closing a
  deadline, moving a computed one)
- courts: courtrooms and closure days
- hearings: hearings and the deadlines counted from them
- deadlines: deadlines set and changed by the court; a rule's date previewed
- missed: deadlines marked missed, and escalated
- case_close: a case that ends keeps no court dates
- negotiation: an offer's expiry and a suggestion's response deadline
"""

from .case_close import case_dates_close as case_dates_close
from .common import ENDED_CASE_STATUSES as ENDED_CASE_STATUSES
from .common import UNSET as UNSET
from .courts import case_deadlines_recompute as case_deadlines_recompute
from .courts import closure_add as closure_add
from .courts import closure_remove as closure_remove
from .courts import court_deadlines_recompute as court_deadlines_recompute
from .courts import courtroom_create as courtroom_create
from .deadlines import deadline_cancel as deadline_cancel
from .deadlines import deadline_complete as deadline_complete
from .deadlines import deadline_create as deadline_create
from .deadlines import deadline_edit_conflict as deadline_edit_conflict
from .deadlines import deadline_override as deadline_override
from .deadlines import deadline_override_remove as deadline_override_remove
from .deadlines import deadline_reopen as deadline_reopen
from .deadlines import deadline_update as deadline_update
from .deadlines import rule_preview as rule_preview
from .hearings import HearingPlan as HearingPlan
from .hearings import _clash as _clash
from .hearings import hearing_cancel as hearing_cancel
from .hearings import hearing_mark_held as hearing_mark_held
from .hearings import hearing_reschedule as hearing_reschedule
from .hearings import hearing_schedule as hearing_schedule
from .hearings import hearing_update as hearing_update
from .hearings import hearings_schedule_many as hearings_schedule_many
from .missed import MISSED_BATCH as MISSED_BATCH
from .missed import NOT_MISSED_KINDS as NOT_MISSED_KINDS
from .missed import deadlines_mark_missed as deadlines_mark_missed
from .negotiation import OTHER_SIDE as OTHER_SIDE
from .negotiation import offer_expiry_sync as offer_expiry_sync
from .negotiation import suggestion_response_rule as suggestion_response_rule
from .negotiation import suggestion_response_sync as suggestion_response_sync
