"""Docket CSV files: reading them (header, encoding, BOM, quoting, blank cells) and the
import_docket management command."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError

from audit.models import AuditEvent
from cases.models import Case, Charge
from docketsync.csvfile import CsvError, read_csv, template
from docketsync.records import COLUMNS
from parties.models import Role
from tests.conftest import World
from tests.deadline_helpers import courtroom, ensure_seeded_rules

NOW = dt.datetime(2026, 11, 24, 15, 0, tzinfo=dt.UTC)

GOOD = (
    "type,external_id,case_external_id,docket_number,caption,statute,description\r\n"
    "case,CR-1,,1:26-cr-00101,United States v. Alvarez,,\r\n"
    'charge,C-1,CR-1,,,"21 U.S.C. 841(a)(1)","Distribution, 50 grams"\r\n'
)


@pytest.fixture(autouse=True)
def frozen() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


# --- reading ---------------------------------------------------------------------------------


def test_rows_become_records_without_their_empty_cells() -> None:
    found = read_csv(GOOD.encode())

    assert found.records == [
        {
            "type": "case",
            "external_id": "CR-1",
            "docket_number": "1:26-cr-00101",
            "caption": "United States v. Alvarez",
        },
        {
            "type": "charge",
            "external_id": "C-1",
            "case_external_id": "CR-1",
            "statute": "21 U.S.C. 841(a)(1)",
            "description": "Distribution, 50 grams",
        },
    ]
    assert found.lines == [2, 3]


def test_a_byte_order_mark_is_not_part_of_the_first_column() -> None:
    found = read_csv(b"\xef\xbb\xbf" + GOOD.encode())

    assert found.records[0]["type"] == "case"


def test_header_names_ignore_case_and_spaces_and_blank_rows_are_skipped() -> None:
    found = read_csv(b" Type , External_ID \n\ncase,CR-1\n,\n")

    assert found.records == [{"type": "case", "external_id": "CR-1"}]


def test_a_quoted_value_may_span_lines_and_lines_are_counted() -> None:
    found = read_csv(b'type,external_id,caption\ncase,CR-1,"two\nlines"\ncase,CR-2,x\n')

    assert found.records[0]["caption"] == "two\nlines"
    assert found.lines == [3, 4]


def test_nameless_trailing_columns_are_ignored() -> None:
    assert read_csv(b"type,external_id,,\ncase,CR-1,,\n").records == [
        {"type": "case", "external_id": "CR-1"}
    ]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The file is empty."),
        (b"external_id,caption\nCR-1,x\n", "The header (line 1) has no “type” column"),
        (b"type,colour,size\ncase,red,2\n", "Unknown columns “colour”, “size” in the header"),
        (b"type,type\ncase,case\n", "The header names type more than once."),
        (b"type,external_id\ncase,CR-1\ncase,CR-2,extra\n", "Line 3 has 3 cells but the header"),
        (b"type,external_id\ncase,Caf\xe9\n", "Line 2 is not UTF-8 text (byte 0xe9)"),
        (b"\xff\xfet\x00y\x00p\x00e\x00", "Line 1 is not UTF-8 text (byte 0xff)"),
        (b"type,external_id\n", "The file has a header but no records."),
        (b'type,external_id\ncase,"CR-1\n', "Line 2 cannot be read as CSV"),
        (b"type,external_id,\ncase,CR-1,oops\n", "Line 2 has a value in a column with no name"),
    ],
)
def test_a_file_that_cannot_be_read_says_where_and_why(data: bytes, message: str) -> None:
    with pytest.raises(CsvError) as refused:
        read_csv(data)

    assert str(refused.value).startswith(message), str(refused.value)


def test_the_record_limit_of_a_file() -> None:
    with pytest.raises(CsvError, match="more than 1 records"):
        read_csv(GOOD.encode(), max_records=1)


def test_the_template_is_the_header_of_every_column() -> None:
    assert template() == ",".join(COLUMNS) + "\r\n"
    assert read_csv((template() + "case,CR-1\r\n").encode()).records == [
        {"type": "case", "external_id": "CR-1"}
    ]


# --- the management command ----------------------------------------------------------------


@pytest.fixture
def clerk(world: World) -> Any:
    ensure_seeded_rules()
    courtroom(world, "Courtroom 4B")
    return world.user(Role.COURT_STAFF)


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "docket.csv"
    path.write_bytes(text.encode())
    return path


def run(*args: Any) -> str:
    from io import StringIO

    out = StringIO()
    call_command("import_docket", *[str(a) for a in args], stdout=out)
    return out.getvalue()


def test_the_command_imports_and_prints_each_record(
    world: World, clerk: Any, tmp_path: Path
) -> None:
    out = run(write(tmp_path, GOOD), "--court", world.court.pk, "--as", "clerk")

    assert out.splitlines() == [
        "line      2  case     CR-1                      created",
        "line      3  charge   C-1                       created",
        "2 created, 0 updated, 0 unchanged, 0 error (2 records).",
    ]
    case = Case.objects.get(external_id="CR-1")
    assert Charge.objects.get(case=case).description == "Distribution, 50 grams"
    row = AuditEvent.objects.filter(case_id=case.pk, table_name="cases_case").first()
    assert row is not None
    assert (row.via, row.actor_id, row.request_id) == ("command", clerk.pk, "import_docket")


def test_the_command_finds_the_court_by_name_and_runs_dry(
    world: World, clerk: Any, tmp_path: Path
) -> None:
    out = run(write(tmp_path, GOOD), "--court", "District Court", "--as", "clerk", "--dry-run")

    assert "line      2  case     CR-1                      would be created" in out
    assert out.splitlines()[-1] == (
        "Dry run, nothing written: 2 created, 0 updated, 0 unchanged, 0 error (2 records)."
    )
    assert not Case.objects.filter(external_id="CR-1").exists()


def test_the_command_fails_when_a_record_fails_and_keeps_the_good_ones(
    world: World, clerk: Any, tmp_path: Path
) -> None:
    bad = GOOD + "charge,C-2,CR-1,,,18 U.S.C. 9999,\r\n"

    with pytest.raises(
        CommandError, match=re.escape("1 record had errors; the others were imported.")
    ):
        run(write(tmp_path, bad), "--court", world.court.pk, "--as", "clerk", "--batch-size", 1)

    assert Charge.objects.filter(case__external_id="CR-1", external_id="C-1").exists()


def test_the_command_batches_never_exceed_a_thousand(
    world: World, clerk: Any, tmp_path: Path
) -> None:
    with pytest.raises(CommandError, match=re.escape("Choose a batch size from 1 to 1,000.")):
        run(write(tmp_path, GOOD), "--court", world.court.pk, "--as", "clerk", "--batch-size", 1001)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--court", "Nowhere", "--as", "clerk"], "No court “Nowhere”"),
        (["--court", "{court}", "--as", "nobody"], "No user “nobody”"),
        (["--court", "{court}", "--as", "judge"], "Only the court's staff import its docket."),
        (["--court", "{court}", "--as", "other_clerk"], "Only the court's staff import"),
    ],
)
def test_the_command_refuses(
    world: World, clerk: Any, tmp_path: Path, args: list[str], message: str
) -> None:
    args = [a.replace("{court}", str(world.court.pk)) for a in args]

    with pytest.raises(CommandError, match=re.escape(message)):
        run(write(tmp_path, GOOD), *args)

    assert not Case.objects.filter(external_id="CR-1").exists()


def test_the_command_reports_an_unreadable_file(world: World, clerk: Any, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="Unknown column “colour”"):
        run(write(tmp_path, "type,colour\ncase,red\n"), "--court", world.court.pk, "--as", "clerk")
    with pytest.raises(CommandError, match="Cannot read"):
        run(tmp_path / "missing.csv", "--court", world.court.pk, "--as", "clerk")
