"""The case history: page, API and both exports (CSV, JSON Lines) on both channels.

Everyone who sees a case reads its history, minus what sits behind another wall: a note, a
draft offer, the negotiation. The expectations (which walls each role reads) are written out
here rather than read from cases.permissions, so that a change of rule fails a test.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.urls import reverse

from audit import exports, presentation, selectors
from audit.context import AuditContext, acting
from audit.models import AuditEvent
from cases.models import Case, Charge
from negotiations.models import Offer
from parties.models import Role
from records import services as records
from records.models import Note
from tests.conftest import ROLES, World, api_as
from tests.negotiation_helpers import draft_offer

# The walls each role reads on its own case (cases.permissions.walls_of), written out.
WALLS: dict[Role, set[str]] = {
    Role.PROSECUTOR: {"shared", "prosecution", "negotiation"},
    Role.DEFENSE_COUNSEL: {"shared", "defense", "negotiation"},
    Role.DUTY_LAWYER: {"shared", "defense", "negotiation"},
    Role.DEFENDANT: {"shared", "defense", "negotiation"},
    Role.JUDGE: {"shared", "court"},
    Role.COURT_STAFF: {"shared", "court"},
}
CHANNELS = ["page", "api", "csv", "jsonl", "api-csv", "api-jsonl"]
SECRET_RATIONALE = "Draft rationale 5c1e: the lab report is weak."


@dataclass
class Walled:
    """One note behind each wall, and a prosecution draft offer. Each text is unique, so its
    absence from a response proves that nothing of it crossed the wall."""

    notes: dict[str, Note]
    offer: Offer

    def texts(self) -> dict[str, str]:
        texts = {wall: note.body for wall, note in self.notes.items()}
        texts["offer"] = SECRET_RATIONALE
        return texts


@pytest.fixture
def walled(world: World) -> Walled:
    prosecutor = world.user(Role.PROSECUTOR)
    authors = {
        "prosecution": prosecutor,
        "defense": world.user(Role.DEFENSE_COUNSEL),
        "court": world.user(Role.JUDGE),
        "shared": prosecutor,
    }
    notes = {}
    for wall, author in authors.items():
        with as_if_through_the_web(author):
            notes[wall] = records.note_add(
                case=world.case,
                by=author,
                visibility=wall,
                body=f"Note 7f3a behind the {wall} wall",
            )
    with as_if_through_the_web(prosecutor):
        offer = draft_offer(world, rationale=SECRET_RATIONALE)
    return Walled(notes=notes, offer=offer)


def as_if_through_the_web(user: User) -> Any:
    """What the middleware binds for a request by `user`, so the triggers record them."""
    return acting(AuditContext(via="web", actor=lambda: user))


def walls_readable(role: Role) -> set[str]:
    """What a role reads: its walls; the offer's draft sits behind the prosecution's."""
    return {wall for wall in ("prosecution", "defense", "court", "shared") if wall in WALLS[role]}


def expected_ids(case: Case, role: Role) -> list[int]:
    rows = AuditEvent.objects.filter(case_id=case.pk, audience__in=WALLS[role]).order_by("-id")
    return list(rows.values_list("id", flat=True))


# --- the channels --------------------------------------------------------------------------------


@dataclass
class Answer:
    status: int
    text: str
    ids: list[int]
    rows: list[dict[str, Any]]


def _export_url(channel: str, case: Case, params: dict[str, str]) -> tuple[str, dict[str, str]]:
    if channel in ("csv", "jsonl"):
        return reverse(f"audit:history-export-{channel}", args=[case.pk]), params
    fmt = channel.removeprefix("api-")
    return reverse("case-history-export", args=[case.pk]), {"as": fmt, **params}


def read(channel: str, user: User, case: Case, **params: str) -> Answer:
    """The history as `user` gets it through `channel`: status, body, event ids, rows."""
    client: Any
    response: Any
    if channel == "page":
        client = Client()
        client.force_login(user)
        response = client.get(reverse("audit:history", args=[case.pk]), params)
        text = response.content.decode()
        ids = [int(pk) for pk in re.findall(r'<tr id="event-(\d+)"', text)]
        return Answer(response.status_code, text, ids, [])
    if channel == "api":
        client = api_as(user)
        url: str | None = reverse("case-history", args=[case.pk])
        query: dict[str, str] | None = {"page_size": "200", **params}
        rows: list[dict[str, Any]] = []
        texts: list[str] = []
        while url:
            response = client.get(url, query)
            texts.append(response.content.decode())
            if response.status_code != 200:
                return Answer(response.status_code, texts[-1], [], [])
            body = response.json()
            rows.extend(body["results"])
            url, query = body["next"], None
        return Answer(200, "".join(texts), [row["id"] for row in rows], rows)
    url, query = _export_url(channel, case, params)
    if channel.startswith("api-"):
        response = api_as(user).get(url, query)
    else:
        client = Client()
        client.force_login(user)
        response = client.get(url, query)
    if not response.streaming:
        return Answer(response.status_code, response.content.decode(), [], [])
    text = b"".join(response.streaming_content).decode()
    if channel.endswith("csv"):
        rows = list(csv.DictReader(io.StringIO(text)))
    else:
        rows = [json.loads(line) for line in text.splitlines()]
    return Answer(response.status_code, text, [int(row["id"]) for row in rows], rows)


# --- who reads what ------------------------------------------------------------------------------


@pytest.mark.parametrize("channel", CHANNELS)
@pytest.mark.parametrize("role", ROLES)
def test_each_role_reads_exactly_the_events_behind_its_walls(
    world: World, walled: Walled, role: Role, channel: str
) -> None:
    expected = expected_ids(world.case, role)
    answer = read(channel, world.user(role), world.case)
    assert answer.status == 200
    # The page shows the newest 50; every other channel all of them.
    assert answer.ids == (expected[:50] if channel == "page" else expected)
    seen_notes = {
        note.visibility for note in walled.notes.values() if note.pk in _note_rows(answer)
    }
    assert seen_notes == walls_readable(role)


def _note_rows(answer: Answer) -> set[int]:
    notes = AuditEvent.objects.filter(id__in=answer.ids, kind="note.created")
    return {int(row_id) for row_id in notes.values_list("row_id", flat=True)}


@pytest.mark.parametrize("channel", CHANNELS)
@pytest.mark.parametrize("role", ROLES)
def test_no_text_crosses_a_wall(world: World, walled: Walled, role: Role, channel: str) -> None:
    answer = read(channel, world.user(role), world.case)
    assert answer.status == 200
    readable = walls_readable(role)
    for wall, text in walled.texts().items():
        behind = "prosecution" if wall == "offer" else wall
        # The texts need no escaping in HTML, JSON or CSV: found as written, or not at all.
        assert (text in answer.text) == (behind in readable), (wall, channel)


@pytest.mark.parametrize("channel", CHANNELS)
@pytest.mark.parametrize("role", ROLES)
def test_strangers_get_404_on_every_channel(
    world: World, walled: Walled, role: Role, channel: str
) -> None:
    answer = read(channel, world.strangers[role], world.case)
    assert answer.status == 404
    for text in walled.texts().values():
        assert text not in answer.text


@pytest.mark.parametrize("channel", ["page", "api"])
def test_a_missing_case_is_the_same_404(world: World, channel: str) -> None:
    answer = read(channel, world.user(Role.PROSECUTOR), Case(pk=2_000_000_000))
    assert answer.status == 404


def test_signed_out_visitors_are_sent_to_sign_in(world: World) -> None:
    client = Client()
    for name in ("audit:history", "audit:history-export-csv", "audit:history-export-jsonl"):
        response = client.get(reverse(name, args=[world.case.pk]))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    assert client.get(reverse("case-history", args=[world.case.pk])).status_code == 401
    assert client.get(reverse("case-history-export", args=[world.case.pk])).status_code == 401


def test_the_filters_offer_only_people_and_kinds_the_reader_sees(
    world: World, walled: Walled
) -> None:
    defense = world.user(Role.DEFENSE_COUNSEL)
    # The defense wrote only behind its wall: the prosecution is not told they wrote at all.
    prosecution_page = read("page", world.user(Role.PROSECUTOR), world.case).text
    assert f'<option value="{defense.pk}"' not in prosecution_page
    assert f'<option value="{world.user(Role.PROSECUTOR).pk}"' in prosecution_page
    defense_page = read("page", defense, world.case).text
    assert f'<option value="{defense.pk}"' in defense_page
    # The court sees no offer, not even that there are offer events to filter by.
    judge_page = read("page", world.user(Role.JUDGE), world.case).text
    assert '<option value="offer"' not in judge_page
    assert '<option value="offer"' in prosecution_page


# --- what it says --------------------------------------------------------------------------------


def test_a_bulk_update_and_raw_sql_are_in_the_history(world: World) -> None:
    Charge.objects.filter(case=world.case).update(description="Bulk: possession with intent")
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE cases_charge SET status = 'amended', description = %s WHERE case_id = %s",
            ["Raw: simple possession", world.case.pk],
        )
    api = read("api", world.user(Role.DEFENSE_COUNSEL), world.case, kind="charge.changed")
    raw, bulk = api.rows[:2]
    assert bulk["before"] == {"description": "Distribution of fentanyl"}
    assert bulk["after"] == {"description": "Bulk: possession with intent"}
    assert raw["before"] == {"description": "Bulk: possession with intent", "status": "pending"}
    assert raw["after"] == {"description": "Raw: simple possession", "status": "amended"}
    # Neither came through a request: both are writes from outside the app.
    assert raw["via"] == bulk["via"] == ""
    assert raw["who"] == f"outside the app ({raw['db_user']})"
    assert raw["summary"] == (
        "Charge changed: description “Bulk: possession with intent” → “Raw: simple possession”; "
        "status Pending → Amended"
    )
    assert {"field": "status", "label": "status", "before": "Pending", "after": "Amended"} in raw[
        "changes"
    ]
    page = read("page", world.user(Role.DEFENSE_COUNSEL), world.case).text
    assert "status Pending → Amended" in page
    assert "“Distribution of fentanyl” → “Bulk: possession with intent”" in page
    assert "outside the app (" in page
    jsonl = read("jsonl", world.user(Role.JUDGE), world.case, kind="charge").rows
    assert jsonl[0]["after"] == {"description": "Raw: simple possession", "status": "amended"}
    assert jsonl[0]["occurred_at"].endswith("Z")


def test_a_note_is_told_as_created_with_its_fields(world: World, walled: Walled) -> None:
    note = walled.notes["shared"]
    rows = read("api", world.user(Role.DUTY_LAWYER), world.case, kind="note.created").rows
    row = next(r for r in rows if r["row_id"] == str(note.pk))
    assert row["summary"] == "Note created"
    assert row["who"] == world.user(Role.PROSECUTOR).get_full_name()
    assert row["actor_name"] == "prosecutor"
    assert row["via"] == "web"
    labels = {change["label"]: change["after"] for change in row["changes"]}
    assert labels["body"] == note.body
    assert labels["visibility"] == "Shared with all parties"


def test_an_edit_reads_before_and_after(world: World, walled: Walled) -> None:
    note = walled.notes["defense"]
    records.note_edit(note=note, by=world.user(Role.DEFENSE_COUNSEL), body="Corrected text")
    row = read("api", world.user(Role.DEFENDANT), world.case, kind="note.changed").rows[0]
    assert row["summary"].startswith(
        "Note changed: body “Note 7f3a behind the defense wall” → “Corrected text”"
    )
    # The timestamp Django keeps is in the details, not in the summary.
    assert "updated at" not in row["summary"]
    assert "updated_at" in row["after"]


def test_who_tells_tasks_and_people_apart() -> None:
    event = AuditEvent(kind="deadline.changed", via="task", db_user="parley")
    assert presentation.who_of(event) == "system task"
    event = AuditEvent(kind="note.created", via="", db_user="dba")
    assert presentation.who_of(event) == "outside the app (dba)"
    event = AuditEvent(kind="note.created", via="web", actor_id=7, actor_name="jdoe")
    assert presentation.who_of(event) == "jdoe"
    assert presentation.who_of(event, {7: "Jane Doe"}) == "Jane Doe"


# --- filters -------------------------------------------------------------------------------------


@pytest.mark.parametrize("channel", CHANNELS)
def test_filters_narrow_every_channel(world: World, walled: Walled, channel: str) -> None:
    reader = world.user(Role.PROSECUTOR)
    defense = world.user(Role.DEFENSE_COUNSEL)
    mine = AuditEvent.objects.filter(case_id=world.case.pk, actor_id=reader.pk)
    expected = sorted(mine.values_list("id", flat=True))
    by_actor = read(channel, reader, world.case, actor=str(reader.pk))
    assert sorted(by_actor.ids) == expected
    assert len(by_actor.ids) >= 5  # two notes, the offer, its term and concessions
    # Someone whose only events are behind another wall: nothing, not even a count.
    assert read(channel, reader, world.case, actor=str(defense.pk)).ids == []
    notes = read(channel, reader, world.case, kind="note")
    kinds = set(AuditEvent.objects.filter(id__in=notes.ids).values_list("kind", flat=True))
    assert kinds == {"note.created"}
    assert len(notes.ids) == 2  # the prosecution's and the shared note
    offers = read(channel, reader, world.case, kind="offer")
    kinds = set(AuditEvent.objects.filter(id__in=offers.ids).values_list("kind", flat=True))
    assert kinds == {"offer.created"}  # not offer_term.*: a subject is matched whole
    exact = read(channel, reader, world.case, kind="offer_term.created")
    assert len(exact.ids) == 1


@pytest.mark.parametrize("channel", ["page", "api", "csv", "api-jsonl"])
def test_date_filters_include_both_days_in_utc(world: World, walled: Walled, channel: str) -> None:
    reader = world.user(Role.PROSECUTOR)
    last = AuditEvent.objects.filter(case_id=world.case.pk).latest("id")
    day = last.occurred_at.astimezone(dt.UTC).date()
    same_day = read(channel, reader, world.case, since=day.isoformat(), until=day.isoformat())
    assert last.pk in same_day.ids
    before = read(channel, reader, world.case, until=(day - dt.timedelta(days=1)).isoformat())
    assert last.pk not in before.ids
    after = read(channel, reader, world.case, since=(day + dt.timedelta(days=1)).isoformat())
    assert after.ids == []


def test_actor_filter_keeps_only_that_persons_events(world: World, walled: Walled) -> None:
    judge = world.user(Role.JUDGE)
    rows = read("api", world.user(Role.COURT_STAFF), world.case, actor=str(judge.pk)).rows
    assert [row["row_id"] for row in rows] == [str(walled.notes["court"].pk)]
    assert {row["actor_id"] for row in rows} == {judge.pk}


BAD_FILTERS = [
    ({"actor": "prosecutor"}, "actor", "user id"),
    ({"actor": "1.5"}, "actor", "user id"),
    ({"kind": "Note!"}, "kind", "note.created"),
    ({"kind": "note.created.again"}, "kind", "note.created"),
    ({"since": "2026-02-30"}, "since", "YYYY-MM-DD"),
    ({"until": "yesterday"}, "until", "YYYY-MM-DD"),
    ({"since": "0001-01-01"}, "since", "between"),
    ({"until": "9999-12-31"}, "until", "between"),
    ({"since": "2026-03-02", "until": "2026-03-01"}, "until", "before the start date"),
]


@pytest.mark.parametrize(("params", "field", "message"), BAD_FILTERS)
@pytest.mark.parametrize("channel", ["api", "api-csv", "api-jsonl"])
def test_bad_filters_are_a_400_per_field_in_the_api(
    world: World, channel: str, params: dict[str, str], field: str, message: str
) -> None:
    answer = read(channel, world.user(Role.PROSECUTOR), world.case, **params)
    assert answer.status == 400
    body = json.loads(answer.text)
    assert list(body) == [field]
    assert message in body[field][0]


@pytest.mark.parametrize(("params", "field", "message"), BAD_FILTERS)
@pytest.mark.parametrize("channel", ["page", "csv", "jsonl"])
def test_bad_filters_are_a_400_next_to_the_field_on_the_page(
    world: World, channel: str, params: dict[str, str], field: str, message: str
) -> None:
    on_case = AuditEvent.objects.filter(case_id=world.case.pk)
    before = on_case.count()
    answer = read(channel, world.user(Role.PROSECUTOR), world.case, **params)
    assert answer.status == 400
    assert f'id="id_{field}_error"' in answer.text
    assert message in answer.text
    # No history on a page whose filters are wrong, and no export recorded.
    assert answer.ids == []
    assert on_case.count() == before


def test_the_api_export_names_a_bad_format(world: World) -> None:
    answer = read("api-xml", world.user(Role.PROSECUTOR), world.case, actor="x")
    assert answer.status == 400
    assert json.loads(answer.text) == {
        "as": ["Choose csv or jsonl."],
        "actor": ["Give the person as a user id (a whole number)."],
    }


def test_a_damaged_page_cursor_is_a_400(world: World) -> None:
    answer = read("page", world.user(Role.PROSECUTOR), world.case, cursor="abc")
    assert answer.status == 400
    assert "damaged" in answer.text


def test_an_api_accept_header_for_csv_is_not_refused(world: World) -> None:
    client = api_as(world.user(Role.PROSECUTOR))
    response = client.get(
        reverse("case-history-export", args=[world.case.pk]), HTTP_ACCEPT="text/csv"
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")


# --- paging --------------------------------------------------------------------------------------


def test_the_page_links_to_older_events_keeping_the_filters(world: World) -> None:
    prosecutor = world.user(Role.PROSECUTOR)
    for n in range(60):
        records.note_add(case=world.case, by=prosecutor, visibility="shared", body=f"Note {n}")
    first = read("page", prosecutor, world.case, kind="note")
    assert len(first.ids) == 50
    older = re.search(r'href="[^"]*\?kind=note&amp;cursor=(\d+)" rel="next"', first.text)
    assert older is not None
    second = read("page", prosecutor, world.case, kind="note", cursor=older.group(1))
    assert len(second.ids) == 10
    assert max(second.ids) < min(first.ids)
    assert 'rel="next"' not in second.text
    newest = reverse("audit:history", args=[world.case.pk]) + "?kind=note"
    assert f'<a href="{newest}">Newest' in second.text
    all_notes = AuditEvent.objects.filter(case_id=world.case.pk, kind="note.created")
    assert sorted(first.ids + second.ids) == sorted(all_notes.values_list("id", flat=True))


def test_the_page_links_to_the_exports_with_its_filters(world: World, walled: Walled) -> None:
    user = world.user(Role.PROSECUTOR)
    page = read("page", user, world.case, kind="note", since="2026-01-01").text
    for name in ("audit:history-export-csv", "audit:history-export-jsonl"):
        url = reverse(name, args=[world.case.pk]) + "?kind=note&amp;since=2026-01-01"
        assert f'href="{url}"' in page


def test_the_api_pages_newest_first_with_cursors(world: World, walled: Walled) -> None:
    client = api_as(world.user(Role.PROSECUTOR))
    body = client.get(reverse("case-history", args=[world.case.pk]), {"page_size": 5}).json()
    assert len(body["results"]) == 5
    ids = [row["id"] for row in body["results"]]
    assert ids == sorted(ids, reverse=True)
    older = client.get(body["next"]).json()
    assert max(row["id"] for row in older["results"]) < min(ids)


# --- exports -------------------------------------------------------------------------------------


@pytest.mark.parametrize("channel", ["csv", "jsonl", "api-csv", "api-jsonl"])
def test_an_export_is_recorded_and_seen_in_the_history(
    world: World, walled: Walled, channel: str
) -> None:
    defense = world.user(Role.DEFENSE_COUNSEL)
    exported = read(channel, defense, world.case, kind="note")
    event = AuditEvent.objects.filter(case_id=world.case.pk).latest("id")
    assert event.kind == "history.exported"
    assert event.audience == "shared"
    assert event.actor_id == defense.pk
    fmt = channel.removeprefix("api-")
    assert event.data["format"] == fmt
    assert event.data["filters"] == {"kind": "note"}
    # How many events the exporter saw is not said: the judge would count defense notes.
    assert "rows" not in event.data and len(exported.ids) == 2
    # The export does not hold its own record; the next reader sees it, whatever their walls.
    assert event.pk not in exported.ids
    seen = read("api", world.user(Role.JUDGE), world.case, kind="history").rows
    assert [row["id"] for row in seen] == [event.pk]
    assert seen[0]["summary"] == f"History exported ({fmt.upper()})"
    assert seen[0]["who"] == defense.get_full_name()


@pytest.mark.parametrize("channel", ["csv", "api-csv"])
def test_the_csv_has_the_columns_and_a_file_name(world: World, channel: str) -> None:
    user = world.user(Role.PROSECUTOR)
    url, query = _export_url(channel, world.case, {})
    client: Any = api_as(user) if channel.startswith("api-") else Client()
    if not channel.startswith("api-"):
        client.force_login(user)
    response = client.get(url, query)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="case-1-26-cr-00001-history.csv"'
    )
    text = b"".join(response.streaming_content).decode()
    header = next(csv.reader(io.StringIO(text)))
    assert header == list(exports.COLUMNS)


def test_the_jsonl_has_one_object_a_line_with_the_same_fields(world: World) -> None:
    rows = read("jsonl", world.user(Role.JUDGE), world.case).rows
    assert rows
    assert all(list(row) == sorted(exports.COLUMNS) for row in rows)


def test_csv_cells_that_a_spreadsheet_would_run_are_defused(world: World) -> None:
    clerk = world.user(Role.COURT_STAFF)
    client = Client()
    client.force_login(clerk)
    # A request id is the caller's to choose (audit.middleware); this one starts with "-".
    client.get(
        reverse("audit:history-export-csv", args=[world.case.pk]),
        HTTP_X_REQUEST_ID="-cmd:calc.exe",
    )
    rows = read("csv", clerk, world.case, kind="history").rows
    assert rows[0]["request_id"] == "'-cmd:calc.exe"
    assert exports._cell("=SUM(A1)") == "'=SUM(A1)"
    assert exports._cell("@A1") == "'@A1"
    assert exports._cell("+1") == "'+1"
    assert exports._cell("Note created") == "Note created"


# --- sealed cases --------------------------------------------------------------------------------


@pytest.mark.parametrize("channel", ["page", "api", "csv", "api-jsonl"])
def test_viewing_a_sealed_case_history_is_recorded_for_the_court(
    world: World, channel: str
) -> None:
    Case.objects.filter(pk=world.case.pk).update(sealed=True)
    defense = world.user(Role.DEFENSE_COUNSEL)
    read(channel, defense, world.case)
    viewed = AuditEvent.objects.filter(case_id=world.case.pk, kind="case.sealed_viewed").get()
    assert viewed.audience == "court"
    assert viewed.actor_id == defense.pk
    assert viewed.data["seen"].startswith("history")
    assert viewed.pk in read("api", world.user(Role.JUDGE), world.case).ids
    assert viewed.pk not in read("api", world.user(Role.PROSECUTOR), world.case).ids


def test_an_open_case_history_view_records_nothing(world: World) -> None:
    on_case = AuditEvent.objects.filter(case_id=world.case.pk)
    before = on_case.count()
    read("page", world.user(Role.DEFENSE_COUNSEL), world.case)
    read("api", world.user(Role.DEFENSE_COUNSEL), world.case)
    assert on_case.count() == before


# --- queries -------------------------------------------------------------------------------------

# The page: session, user; the case (with its court and jurisdiction); the reader's walls
# (cases.permissions.walls_of: their roles and sides, the court's group, the view permission);
# the filters' choices and the people's names; the page of events; the header's profile, unread
# count and organization.
PAGE_QUERIES = 11
# The API: the case; the walls (as above); the page of events; the names of the people on it.
API_QUERIES = 5


def _notes_by_the_prosecutor(world: World, count: int) -> User:
    prosecutor = world.user(Role.PROSECUTOR)
    with as_if_through_the_web(prosecutor):
        for n in range(count):
            records.note_add(case=world.case, by=prosecutor, visibility="prosecution", body=f"N{n}")
    return prosecutor


@pytest.mark.parametrize("notes", [1, 25])
def test_the_page_costs_the_same_whatever_its_length(
    world: World, django_assert_num_queries: Any, notes: int
) -> None:
    client = Client()
    client.force_login(_notes_by_the_prosecutor(world, notes))
    with django_assert_num_queries(PAGE_QUERIES):
        response = client.get(reverse("audit:history", args=[world.case.pk]))
    assert response.status_code == 200
    assert response.content.decode().count('<tr id="event-') >= notes


@pytest.mark.parametrize("notes", [1, 25])
def test_the_api_costs_the_same_whatever_its_length(
    world: World, django_assert_num_queries: Any, notes: int
) -> None:
    client = api_as(_notes_by_the_prosecutor(world, notes))
    with django_assert_num_queries(API_QUERIES):
        response = client.get(reverse("case-history", args=[world.case.pk]))
    assert response.status_code == 200
    assert len(response.json()["results"]) >= notes


# --- the admin -----------------------------------------------------------------------------------


def test_the_admin_reads_events_and_changes_none(world: World) -> None:
    admin = User.objects.create_superuser("root", "root@example.org", "pw")
    client = Client()
    client.force_login(admin)
    event = AuditEvent.objects.filter(case_id=world.case.pk).latest("id")
    assert client.get(reverse("admin:audit_auditevent_changelist")).status_code == 200
    page = client.get(reverse("admin:audit_auditevent_change", args=[event.pk]))
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert client.get(reverse("admin:audit_auditevent_add")).status_code == 403
    assert client.get(reverse("admin:audit_auditevent_delete", args=[event.pk])).status_code == 403
    client.post(reverse("admin:audit_auditevent_change", args=[event.pk]), {"kind": "x"})
    assert AuditEvent.objects.get(pk=event.pk).kind == event.kind


# --- the selector --------------------------------------------------------------------------------


def test_the_filters_read_empty_values_as_no_filter() -> None:
    filters = selectors.history_filters({"actor": "", "kind": " ", "since": "", "until": ""})
    assert filters == selectors.HistoryFilters()
    assert filters.as_params() == {}


# --- the screenshot (run only when asked, like tests/browser/test_screenshots.py) ---------------


@pytest.mark.browser
@pytest.mark.skipif(
    not os.environ.get("PARLEY_SCREENSHOTS"),
    reason="set PARLEY_SCREENSHOTS=1 to refresh docs/screenshots",
)
def test_screenshot_of_the_history(live_server: Any, world: World) -> None:
    from playwright.sync_api import sync_playwright

    from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, sign_in

    names = {"prosecutor": ("Alex", "Morgan"), "defense": ("Dana", "Whitfield")}
    names |= {"judge": ("Ruth", "Alvarez"), "clerk": ("Chris", "Lee")}
    for username, (first, last) in names.items():
        User.objects.filter(username=username).update(first_name=first, last_name=last)
    prosecutor = User.objects.get(username="prosecutor")
    with as_if_through_the_web(prosecutor):
        records.note_add(
            case=world.case,
            by=prosecutor,
            visibility="prosecution",
            body="Lab report on exhibit 4 is late; ask for a continuance if not in by Friday.",
        )
        records.note_add(
            case=world.case,
            by=prosecutor,
            visibility="shared",
            body="Discovery batch 2 goes out on Monday.",
        )
        draft_offer(world)
    Charge.objects.filter(case=world.case).update(description="Possession with intent")
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE cases_charge SET status = 'amended', description = %s WHERE case_id = %s",
            ["Possession with intent to distribute", world.case.pk],
        )
    shots = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            context = browser.new_context(viewport={"width": 1360, "height": 860}, locale="en-US")
            page = context.new_page()
            sign_in(page, live_server, "prosecutor")
            page.goto(live_server.url + reverse("audit:history", args=[world.case.pk]))
            page.locator("details.event-details").first.locator("summary").click()
            path = shots / "case-history.png"
            page.screenshot(path=str(path), full_page=False, animations="disabled")
            assert path.stat().st_size < 300_000
            browser.close()
    finally:
        if previous is None:
            del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous
