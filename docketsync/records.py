"""The docket record format: what one record of a sync batch may hold, and reading it.

A record is a flat mapping with a `type` (case, charge, party, hearing), the `external_id` the
docket system gives the thing, and the fields of that type (docs/docket-sync.md). The same
records come from the API (JSON values), from CSV files (every value a string) and from the
court staff pages (CSV), so each field reader accepts both: `true` and `"yes"`, `3` and `"3"`.

A field that is absent, `null` or (for anything but free text) an empty string is "not given":
an existing object keeps its value. `null` means "none" only where Parley has a none: a
hearing's `judge` and a defendant's `date_of_birth`. Reading never touches the database; what
the values refer to (a case, a statute, a courtroom, a person) is resolved by the service.
"""

from __future__ import annotations

import datetime as dt
import functools
import zoneinfo
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from itertools import chain
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import CaseStatus, Disposition
from deadlines.models import HearingKind, HearingStatus
from parties.models import CitizenshipStatus, CustodyStatus, Role

CASE = "case"
CHARGE = "charge"
PARTY = "party"
HEARING = "hearing"
RECORD_TYPES = (CASE, CHARGE, PARTY, HEARING)

# A key in a record's errors for what concerns the record as a whole.
RECORD_ERRORS = "non_field_errors"

EXTERNAL_ID_MAX = 128
TEXT_MAX = 10_000

Reader = Callable[[Any], Any]


class FieldError(ValueError):
    """A value that cannot be read; its message is for the person who sent it."""


# --- readers: one value, from JSON or from a CSV cell ----------------------------------------


def text(max_length: int, *, strip: bool = True) -> Reader:
    def read(value: Any) -> str:
        if type(value) is not str:
            if isinstance(value, bool) or not isinstance(value, str | int | float):
                raise FieldError(_("Enter text."))
            value = str(value)
        if strip:
            value = value.strip()
        if len(value) > max_length:
            raise FieldError(
                _("Keep this to %(max_length)s characters (it has %(count)s).")
                % {"max_length": format(max_length, ","), "count": format(len(value), ",")}
            )
        if "\x00" in value:
            raise FieldError(_("Text may not contain NUL characters."))
        return value

    return read


_external_id_text = text(EXTERNAL_ID_MAX)


def identifier(value: Any) -> str:
    read = _external_id_text(value)
    if not read:
        raise FieldError(_("Enter an identifier."))
    return read


def boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        word = value.strip().lower()
        if word in {"true", "yes", "y", "1"}:
            return True
        if word in {"false", "no", "n", "0"}:
            return False
    raise FieldError(_("Enter true or false (yes or no)."))


def integer(low: int, high: int) -> Reader:
    def read(value: Any) -> int:
        if isinstance(value, bool):
            raise FieldError(_("Enter a whole number."))
        if isinstance(value, str):
            try:
                value = int(value.strip())
            except ValueError:
                raise FieldError(_("Enter a whole number.")) from None
        if not isinstance(value, int):
            raise FieldError(_("Enter a whole number."))
        if not low <= value <= high:
            raise FieldError(
                _("Enter a number from %(low)s to %(high)s.")
                % {"low": format(low, ","), "high": format(high, ",")}
            )
        return value

    return read


def date(value: Any) -> dt.date:
    if isinstance(value, str):
        try:
            if len(value.strip()) == 10:
                return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise FieldError(_("Enter a date as YYYY-MM-DD."))


def choice(choices: list[str]) -> Reader:
    known = frozenset(choices)

    def read(value: Any) -> str:
        if isinstance(value, str) and (value := value.strip()) in known:
            return value
        raise FieldError(_("Choose one of: %(items)s.") % {"items": ", ".join(choices)})

    return read


@dataclass(frozen=True)
class Moment:
    """A date and time as sent: with its offset, or on the court's wall clock (no offset)."""

    value: dt.datetime

    def in_zone(self, zone: zoneinfo.ZoneInfo) -> dt.datetime:
        """The moment; a wall time the court's clocks skip (02:30 on the night they go
        forward) is refused rather than moved an hour (FieldError)."""
        if timezone.is_aware(self.value):
            return self.value
        moment = self.value.replace(tzinfo=zone)
        if moment.astimezone(dt.UTC).astimezone(zone).replace(tzinfo=None) != self.value:
            raise FieldError(
                _(
                    "%(moment)s does not exist in %(zone)s (the clocks skip it); give the "
                    "time with its offset."
                )
                % {"moment": format(self.value, "%Y-%m-%d %H:%M"), "zone": zone.key}
            )
        return moment


@functools.lru_cache(maxsize=4096)
def _moment_of(text: str) -> Moment | None:
    # A docket's hearings share a few slots: each text is read once (a Moment never changes).
    if len(text) >= 16:
        try:
            return Moment(dt.datetime.fromisoformat(text))
        except ValueError:
            pass
    return None


def moment(value: Any) -> Moment:
    found = _moment_of(value.strip()) if isinstance(value, str) else None
    if found is not None:
        return found
    raise FieldError(
        _(
            "Enter a date and time as YYYY-MM-DDTHH:MM, with an offset (+01:00, Z) or without one "
            "for the court's own time."
        )
    )


# --- the fields of each type ------------------------------------------------------------------


@dataclass(frozen=True)
class Field:
    read: Reader
    # Where `null` is a value ("no judge") rather than "not given".
    nullable: bool = False
    # Free text: "" is a value (clears it), not "not given".
    blank_is_value: bool = False


_REASON = Field(text(2000))

FIELDS: dict[str, dict[str, Field]] = {
    CASE: {
        "docket_number": Field(text(64)),
        "caption": Field(text(300), blank_is_value=True),
        "opened_on": Field(date),
        "sealed": Field(boolean),
        "status": Field(choice(CaseStatus.values)),
        "status_reason": _REASON,
    },
    CHARGE: {
        "count": Field(integer(1, 32767)),
        "statute": Field(text(100)),
        "description": Field(text(TEXT_MAX), blank_is_value=True),
        "disposition": Field(choice(Disposition.values)),
        "disposition_date": Field(date),
    },
    PARTY: {
        "role": Field(choice(Role.values)),
        "user": Field(text(254)),
        "is_lead": Field(boolean),
        "start_date": Field(date),
        "end_date": Field(date),
        "conflict_override_reason": _REASON,
        "first_name": Field(text(100)),
        "last_name": Field(text(100)),
        "date_of_birth": Field(date, nullable=True),
        "custody_status": Field(choice(CustodyStatus.values)),
        "preferred_language": Field(text(64)),
        "interpreter_needed": Field(boolean),
        "citizenship_status": Field(choice(CitizenshipStatus.values)),
    },
    HEARING: {
        "kind": Field(choice(HearingKind.values)),
        "starts_at": Field(moment),
        "ends_at": Field(moment),
        "courtroom": Field(text(100)),
        "judge": Field(text(254), nullable=True),
        "notes": Field(text(TEXT_MAX), blank_is_value=True),
        "status": Field(choice(HearingStatus.values)),
        "reason": _REASON,
    },
}

# Fields of a defendant party are the person's details (parties.models.DEFENDANT_DETAILS); the
# others name a user.

# Every column a CSV file may have, in the order the documentation and template show them.
COLUMNS: tuple[str, ...] = tuple(
    dict.fromkeys(
        ["type", "external_id", "case_external_id"]
        + [name for fields in FIELDS.values() for name in fields]
    )
)


@dataclass
class Record:
    """One record, read: its type, keys and given values, or the errors that stop it."""

    type: str
    external_id: str | None
    case_external_id: str | None = None
    values: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, list[str]] = field(default_factory=dict)

    def given(self, name: str) -> bool:
        return name in self.values


def _echo(raw: Any, key: str) -> str | None:
    """A key of a raw record as text for the result, whatever was sent (or None)."""
    if isinstance(raw, Mapping):
        value = raw.get(key)
        if type(value) is str and value.isascii():
            return value[:EXTERNAL_ID_MAX]
        if isinstance(value, str | int) and not isinstance(value, bool):
            return _printable(str(value)[:EXTERNAL_ID_MAX])
    return None


def _printable(text: str) -> str:
    # JSON may carry lone surrogates, which no UTF-8 response (or database) can hold.
    return text.encode("utf-8", "replace").decode("utf-8")


def _is_unicode(value: Any) -> bool:
    """Whether every text in `value` can be stored (no lone surrogates from JSON escapes)."""
    if isinstance(value, str):
        if value.isascii():
            return True
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return False
        return True
    if isinstance(value, Mapping):
        try:
            # A record of text keys and values (a CSV row, most JSON): told in one go.
            joined = "".join(chain.from_iterable(value.items()))
        except TypeError:
            return all(_is_unicode(k) and _is_unicode(v) for k, v in value.items())
        return _is_unicode(joined)
    if isinstance(value, list | tuple):
        return all(_is_unicode(v) for v in value)
    return True


def _not_given(value: Any, spec: Field) -> bool:
    if value is None:
        return not spec.nullable
    return isinstance(value, str) and not value.strip() and not spec.blank_is_value


def read_record(raw: Any) -> Record:
    """Read one raw record. Never raises: what is wrong is in `errors`, per field."""
    kind = raw.get("type") if isinstance(raw, Mapping) else None
    record = Record(
        type=kind if kind in RECORD_TYPES else _printable(str(kind or "")[:16]),
        external_id=_echo(raw, "external_id"),
        case_external_id=_echo(raw, "case_external_id"),
    )
    if not isinstance(raw, Mapping):
        record.errors[RECORD_ERRORS] = [_("A record is an object with a type and its fields.")]
        return record
    if not _is_unicode(raw):
        record.errors[RECORD_ERRORS] = [_("The record holds text that is not valid Unicode.")]
        return record
    if kind not in RECORD_TYPES:
        record.errors["type"] = [
            _("Choose one of: %(items)s.") % {"items": ", ".join(RECORD_TYPES)}
        ]
        return record
    fields = FIELDS[kind]
    for name, value in raw.items():
        if name in ("type", "external_id", "case_external_id"):
            continue
        spec = fields.get(name)
        if spec is None:
            record.errors[str(name)] = [
                _("A %(kind)s record has no field “%(name)s”.") % {"kind": kind, "name": name}
            ]
            continue
        if _not_given(value, spec):
            continue
        try:
            record.values[name] = None if value is None else spec.read(value)
        except FieldError as error:
            record.errors[name] = [str(error)]
    _read_keys(raw, record)
    return record


def _read_keys(raw: Mapping[str, Any], record: Record) -> None:
    # A party in a role other than defendant is keyed by its case, role and person; its
    # external id is optional and only echoed back.
    optional_id = record.type == PARTY and record.values.get("role") != Role.DEFENDANT
    for key, optional in (("external_id", optional_id), ("case_external_id", False)):
        if key == "case_external_id" and record.type == CASE:
            if raw.get(key) not in (None, ""):
                record.errors[key] = [_("A case record has no case_external_id.")]
            continue
        value = raw.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if not optional:
                record.errors[key] = ["Required."]
            continue
        try:
            setattr(record, key, identifier(value))
        except FieldError as error:
            record.errors[key] = [str(error)]
    if record.type == PARTY and "role" not in record.values and "role" not in record.errors:
        record.errors["role"] = ["Required."]
