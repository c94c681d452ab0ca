"""Seed the bench database with N cases in set-based SQL (INSERT … SELECT generate_series).

The shape, for N = 1,000,000 (everything scales with N except the two measured users):
- 5 courts of one jurisdiction; a case's court follows `id % 20`, so courts interleave in time
  and the measured clerk's court ("Southern District") holds exactly N / 5 cases;
- each case has a lead prosecutor, a defense counsel (80 %) or duty lawyer (20 %) and a
  defendant; 3 % also had an earlier defense counsel whose participation has ended;
- 2,000 prosecutors, 2,400 defense counsel and 600 duty lawyers with skewed caseloads
  (median near the average, the busiest about 4.5 times it); 15 % of defendants are back on
  a later case, one defendant in 50 has a login;
- the measured defense attorney `bench.defense` is defense counsel on exactly 100 cases spread
  evenly over the whole history; the measured clerk `bench.clerk` belongs to the Southern
  District's group and to no case;
- the user permission rows follow cases.permissions.CASE_PERMISSIONS_BY_ROLE for every active
  participation, the group rows COURT_GROUP_PERMISSIONS for every case, as the services grant
  them one at a time.
Everything runs in one transaction: a failed seed leaves the previous one in place.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass

from django.contrib.auth.models import Permission
from django.db import connection, transaction

from cases import services as case_services
from cases.models import Court
from cases.permissions import CASE_PERMISSIONS_BY_ROLE, COURT_GROUP_PERMISSIONS
from cases.profiles import jurisdiction_profiles_load
from parties.models import Organization, OrganizationKind, Role

SEED_VERSION = 1
MEASURED_ATTORNEY = "bench.defense"
MEASURED_CLERK = "bench.clerk"
MEASURED_ATTORNEY_CASES = 100

# (name, time zone, residues of id % 20): the second court is the measured clerk's, 4/20 = 20 %.
COURTS = [
    ("Eastern District", "America/New_York", range(0, 6)),
    ("Southern District", "America/Chicago", range(6, 10)),
    ("Northern District", "America/Denver", range(10, 15)),
    ("Western District", "America/Los_Angeles", range(15, 18)),
    ("Central District", "America/Phoenix", range(18, 20)),
]
MEASURED_COURT = "Southern District"

FIRST_NAMES = [
    "James", "Maria", "Wei", "Aisha", "Robert", "Li", "Fatima", "David", "Elena", "Jamal",
    "Sofia", "Michael", "Priya", "Daniel", "Yuki", "Carlos", "Grace", "Omar", "Hannah", "Ivan",
    "Chloe", "Mateo", "Nora", "Samuel", "Zara", "Lucas", "Amara", "Ethan", "Leila", "Noah",
    "Mei", "Diego", "Ruth", "Kofi", "Anna",
]  # fmt: skip
LAST_NAMES = [
    "Smith", "Garcia", "Chen", "Johnson", "Nguyen", "Williams", "Rodriguez", "Wang", "Brown",
    "Martinez", "Lee", "Davis", "Hernandez", "Kim", "Lopez", "Miller", "Gonzalez", "Wilson",
    "Patel", "Anderson", "Thomas", "Taylor", "Moore", "Jackson", "Martin", "Zhang", "Thompson",
    "White", "Harris", "Clark", "Lewis", "Robinson", "Walker", "Young", "Allen", "King", "Wright",
    "Scott", "Torres", "Hill", "Adams", "Baker", "Liu", "Campbell", "Mitchell", "Roberts", "Okafor",
]  # fmt: skip

# Tables emptied and refilled. TRUNCATE … CASCADE also empties what hangs off them (tokens,
# admin log, charges, negotiations); jurisdictions and statutes stay as the migrations left them.
TRUNCATED = [
    "auth_user",
    "auth_group",
    "parties_organization",
    "cases_court",
    "parties_defendant",
    "cases_case",
]
# The big tables: their secondary indexes are dropped during the load and rebuilt after,
# which is several times faster than maintaining them row by row.
BULK_TABLES = [
    "cases_case",
    "parties_defendant",
    "parties_caseparticipant",
    "cases_caseuserobjectpermission",
    "cases_casegroupobjectpermission",
]


@dataclass(frozen=True)
class Shape:
    cases: int
    defendants: int
    prosecutors: int
    defense_counsel: int
    duty_lawyers: int
    judges_per_court: int = 8
    clerks_per_court: int = 6

    @classmethod
    def for_cases(cls, cases: int) -> Shape:
        if cases < 20 * MEASURED_ATTORNEY_CASES:
            raise SystemExit(f"Seed at least {20 * MEASURED_ATTORNEY_CASES} cases.")
        scale = cases / 1_000_000
        return cls(
            cases=cases,
            defendants=round(cases * 0.85),
            prosecutors=max(10, round(2000 * scale)),
            defense_counsel=max(10, round(2400 * scale)),
            duty_lawyers=max(4, round(600 * scale)),
        )

    def measured_attorney_case_ids(self) -> list[int]:
        step = self.cases / MEASURED_ATTORNEY_CASES
        return [int(step * k + step / 2) for k in range(MEASURED_ATTORNEY_CASES)]


@dataclass(frozen=True)
class UserIds:
    """Users get explicit, contiguous ids so that set-based SQL can pick them arithmetically."""

    attorney: int
    clerk: int
    prosecutors: int  # first id of each block
    defense_counsel: int
    duty_lawyers: int
    judges: int
    clerks: int
    defendants: int
    end: int

    @classmethod
    def for_shape(cls, shape: Shape) -> UserIds:
        prosecutors = 3
        defense_counsel = prosecutors + shape.prosecutors
        duty_lawyers = defense_counsel + shape.defense_counsel
        judges = duty_lawyers + shape.duty_lawyers
        clerks = judges + shape.judges_per_court * len(COURTS)
        defendants = clerks + shape.clerks_per_court * len(COURTS)
        end = defendants + shape.defendants // 50
        return cls(
            1, 2, prosecutors, defense_counsel, duty_lawyers, judges, clerks, defendants, end
        )


def seeded_size() -> int | None:
    """The size of the current seed, or None when there is none or it is out of date."""
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS bench_seed "
            "(name text PRIMARY KEY, cases bigint NOT NULL, version int NOT NULL, "
            "seeded_at timestamptz NOT NULL, shape jsonb NOT NULL)"
        )
        cursor.execute("SELECT cases, version FROM bench_seed WHERE name = 'cases'")
        row = cursor.fetchone()
        if row is None or row[1] != SEED_VERSION:
            return None
        # Cases beyond the seed are allowed only as many as other benchmarks recorded adding
        # on top of it (bench/routes_world.py); any other was added by hand: reseed.
        cursor.execute(
            "SELECT (SELECT count(*) FROM cases_case WHERE id > %s), "
            "(SELECT coalesce(sum(cases), 0) FROM bench_seed WHERE name <> 'cases')",
            [row[0]],
        )
        added, recorded = cursor.fetchone()
        if added != recorded:
            return None
    return int(row[0])


def seed(cases: int, *, reseed: bool = False, log=print) -> Shape:
    shape = Shape.for_cases(cases)
    if not reseed and seeded_size() == cases:
        log(f"seed: {cases:,} cases already seeded; --reseed to redo")
        return shape
    started = time.monotonic()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        if cursor.fetchone()[0]:
            # Rows are consistent by construction; skip the per-row foreign key triggers.
            cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute("SET LOCAL maintenance_work_mem = '1GB'")
        cursor.execute("SET LOCAL work_mem = '256MB'")
        cursor.execute("SELECT setseed(0.42)")
        cursor.execute(f"TRUNCATE {', '.join(TRUNCATED)} RESTART IDENTITY CASCADE")
        # What other benchmarks built on the previous seed went with it.
        cursor.execute("DELETE FROM bench_seed WHERE name <> 'cases'")
        with _indexes_dropped(cursor, log):
            _seed_rows(cursor, shape, log)
        # The dashboard's rollup (cases.models.CaseStatusCount) is kept by triggers, which the
        # replica role above skips: count it once from the cases.
        cursor.execute("DELETE FROM cases_casestatuscount")
        cursor.execute(
            "INSERT INTO cases_casestatuscount (court_id, status, count) "
            "SELECT court_id, status, count(*) FROM cases_case GROUP BY court_id, status"
        )
        cursor.execute(
            "INSERT INTO bench_seed (name, cases, version, seeded_at, shape) "
            "VALUES ('cases', %s, %s, now(), %s) ON CONFLICT (name) DO UPDATE SET "
            "cases = EXCLUDED.cases, version = EXCLUDED.version, "
            "seeded_at = EXCLUDED.seeded_at, shape = EXCLUDED.shape",
            [cases, SEED_VERSION, json.dumps(asdict(shape))],
        )
    # A long-lived database has its visibility map set (index-only scans) and fresh statistics.
    with _step(log, "vacuum analyze"), connection.cursor() as cursor:
        for table in [*BULK_TABLES, "auth_user", "auth_user_groups", "parties_userprofile"]:
            cursor.execute(f"VACUUM (ANALYZE) {table}")
    log(f"seed: done in {time.monotonic() - started:.0f} s")
    return shape


@contextmanager
def _step(log, what: str) -> Iterator[None]:
    started = time.monotonic()
    yield
    log(f"seed: {what} ({time.monotonic() - started:.1f} s)")


@contextmanager
def _indexes_dropped(cursor, log) -> Iterator[None]:
    cursor.execute(
        """
        SELECT i.indrelid::regclass::text, i.indexrelid::regclass::text,
               pg_get_indexdef(i.indexrelid), con.conname, pg_get_constraintdef(con.oid)
        FROM pg_index i
        LEFT JOIN pg_constraint con ON con.conindid = i.indexrelid AND con.contype IN ('u', 'x')
        WHERE i.indrelid = ANY(%s::regclass[]) AND NOT i.indisprimary
        """,
        [BULK_TABLES],
    )
    indexes = cursor.fetchall()
    for table, index, _, constraint, _ in indexes:
        if constraint:
            cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{constraint}"')
        else:
            cursor.execute(f'DROP INDEX "{index}"')
    yield
    with _step(log, f"rebuild {len(indexes)} indexes"):
        for table, _, indexdef, constraint, constraintdef in indexes:
            if constraint:
                cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{constraint}" {constraintdef}')
            else:
                cursor.execute(indexdef)


def _seed_rows(cursor, shape: Shape, log) -> None:
    ids = UserIds.for_shape(shape)
    jurisdiction = jurisdiction_profiles_load()["us-fed"]
    orgs = {
        "prosecutor": Organization.objects.create(
            name="U.S. Attorney's Office", kind=OrganizationKind.PROSECUTOR_OFFICE,
            jurisdiction=jurisdiction,
        ),
        "defender": Organization.objects.create(
            name="Federal Public Defender", kind=OrganizationKind.PUBLIC_DEFENDER,
            jurisdiction=jurisdiction,
        ),
        "legal_aid": Organization.objects.create(
            name="Legal Aid Duty Lawyers", kind=OrganizationKind.LEGAL_AID,
            jurisdiction=jurisdiction,
        ),
    }  # fmt: skip
    firms = [
        Organization.objects.create(
            name=f"{name} & Partners LLP",
            kind=OrganizationKind.PRIVATE_FIRM,
            jurisdiction=jurisdiction,
        ).pk
        for name in LAST_NAMES[:10]
    ]
    courts: list[Court] = []
    for name, time_zone, _ in COURTS:
        org = Organization.objects.create(
            name=f"{name} Clerk's Office", kind=OrganizationKind.COURT, jurisdiction=jurisdiction
        )
        courts.append(
            case_services.court_create(
                name=name, jurisdiction=jurisdiction, time_zone=time_zone, organization=org
            )
        )
    court_orgs = [court.organization_id for court in courts]

    with _step(log, "users"):
        _users(
            cursor,
            ids.attorney,
            ids.attorney,
            "bench.defense",
            Role.DEFENSE_COUNSEL,
            [orgs["defender"].pk],
        )
        _users(
            cursor,
            ids.clerk,
            ids.clerk,
            "bench.clerk",
            Role.COURT_STAFF,
            [courts[1].organization_id],
        )
        _users(
            cursor,
            ids.prosecutors,
            ids.defense_counsel - 1,
            "ausa",
            Role.PROSECUTOR,
            [orgs["prosecutor"].pk],
        )
        # Two in five defense counsel are public defenders, the rest in private firms.
        _users(
            cursor,
            ids.defense_counsel,
            ids.duty_lawyers - 1,
            "counsel",
            Role.DEFENSE_COUNSEL,
            [orgs["defender"].pk] * 7 + firms,
        )
        _users(
            cursor,
            ids.duty_lawyers,
            ids.judges - 1,
            "duty",
            Role.DUTY_LAWYER,
            [orgs["legal_aid"].pk],
        )
        _users(cursor, ids.judges, ids.clerks - 1, "judge", Role.JUDGE, court_orgs)
        _users(cursor, ids.clerks, ids.defendants - 1, "clerk", Role.COURT_STAFF, court_orgs)
        _users(cursor, ids.defendants, ids.end - 1, "defendant", Role.DEFENDANT, [None])
        # Judges and clerks round-robin over the courts, as their organization says.
        cursor.execute(
            """
            INSERT INTO auth_user_groups (user_id, group_id)
            SELECT p.user_id, c.group_id FROM parties_userprofile p
            JOIN cases_court c ON c.organization_id = p.organization_id
            WHERE p.role_kind IN ('judge', 'court_staff')
            """
        )

    with _step(log, f"{shape.defendants:,} defendants"):
        cursor.execute(
            """
            INSERT INTO parties_defendant (id, first_name, last_name, date_of_birth,
                custody_status, preferred_language, interpreter_needed, citizenship_status,
                created_at, created_by_id, user_id)
            SELECT g, (%(first)s::text[])[1 + g %% cardinality(%(first)s::text[])],
                (%(last)s::text[])[1 + (g / 7) %% cardinality(%(last)s::text[])],
                date '1950-01-01' + (g::bigint * 7919 %% 18000)::int,
                (ARRAY['detained', 'released', 'released', 'at_large'])[1 + g %% 4],
                CASE WHEN g %% 9 = 0 THEN 'Spanish' WHEN g %% 23 = 0 THEN 'Mandarin'
                     ELSE 'English' END,
                g %% 9 = 0 OR g %% 23 = 0,
                (ARRAY['citizen', 'citizen', 'citizen', 'permanent_resident', 'visa_holder',
                       'unknown'])[1 + g %% 6],
                timestamptz '2015-01-01' + g * interval '5 minutes', NULL,
                CASE WHEN g %% 50 = 0 THEN %(user0)s + g / 50 - 1 END
            FROM generate_series(1, %(n)s) g
            """,
            {
                "first": FIRST_NAMES,
                "last": LAST_NAMES,
                "n": shape.defendants,
                "user0": ids.defendants,
            },
        )

    court_case = "CASE " + " ".join(
        f"WHEN g %% 20 < {residues.stop} THEN {court.pk}"
        for (_, _, residues), court in zip(COURTS, courts, strict=True)
    )
    with _step(log, f"{shape.cases:,} cases"):
        # Ids grow with time over ten years; older cases are mostly finished.
        cursor.execute(
            f"""
            INSERT INTO cases_case (id, docket_number, caption, status, opened_on, closed_on,
                sealed, external_id, created_at, updated_at, created_by_id, court_id)
            SELECT g, docket, caption, status, opened_on,
                CASE WHEN status = 'closed' THEN opened_on + 60 + h * 4 END,
                g %% 97 = 0, NULL, opened_on + time '09:00',
                opened_on + time '09:00' + h * interval '3 days',
                NULL, {court_case} END
            FROM (
                SELECT g, ((g * 2654435761) %% 100)::int AS h,
                    date '2016-01-01' + (g::float8 * 3650 / %(n)s)::int AS opened_on,
                    format('%%s-CR-%%s', 2016 + g * 10 / (%(n)s + 1), lpad(g::text, 7, '0'))
                        AS docket,
                    'United States v. ' || (%(last)s::text[])[1 + ((1 + (g - 1) %% %(d)s) / 7)
                        %% cardinality(%(last)s::text[])] AS caption,
                    CASE WHEN g::float8 / %(n)s < 0.75 THEN
                        (ARRAY['closed', 'closed', 'closed', 'closed', 'closed', 'sentenced',
                               'sentenced', 'dismissed', 'dismissed', 'trial'])
                            [1 + ((g * 2654435761) %% 10)::int]
                    ELSE
                        (ARRAY['intake', 'intake', 'negotiating', 'negotiating', 'negotiating',
                               'negotiating', 'agreement', 'agreement', 'plea_entered', 'trial'])
                            [1 + ((g * 2654435761) %% 10)::int]
                    END AS status
                FROM generate_series(1, %(n)s) g
            ) s
            """,
            {"n": shape.cases, "d": shape.defendants, "last": LAST_NAMES},
        )

    with _step(log, "participants"):
        cursor.execute(
            """
            INSERT INTO parties_caseparticipant (role, side, is_lead, start_date, end_date,
                created_at, case_id, user_id, defendant_id)
            SELECT x.role, x.side, x.is_lead, c.opened_on, NULL, c.created_at, c.id,
                x.user_id, x.defendant_id
            FROM (
                SELECT id, opened_on, created_at, random() AS r1, random() AS r2,
                    random() AS r3 FROM cases_case ORDER BY id
            ) c
            CROSS JOIN LATERAL (VALUES
                ('prosecutor', 'prosecution', true,
                 %(p0)s + floor(%(p)s * power(c.r1, 1.25))::int, NULL::bigint),
                (CASE WHEN c.id = ANY(%(attorney_cases)s) OR c.r2 < 0.8
                      THEN 'defense_counsel' ELSE 'duty_lawyer' END,
                 'defense', true,
                 CASE WHEN c.id = ANY(%(attorney_cases)s) THEN %(attorney)s
                      WHEN c.r2 < 0.8 THEN %(dc0)s + floor(%(dc)s * power(c.r3, 1.25))::int
                      ELSE %(dd0)s + floor(%(dd)s * power(c.r3, 1.25))::int END,
                 NULL),
                ('defendant', 'defense', false, NULL, 1 + (c.id - 1) %% %(d)s)
            ) x(role, side, is_lead, user_id, defendant_id)
            """,
            {
                "p0": ids.prosecutors,
                "p": shape.prosecutors,
                "dc0": ids.defense_counsel,
                "dc": shape.defense_counsel,
                "dd0": ids.duty_lawyers,
                "dd": shape.duty_lawyers,
                "d": shape.defendants,
                "attorney": ids.attorney,
                "attorney_cases": shape.measured_attorney_case_ids(),
            },
        )
        # Substituted counsel: the earlier participation stays on record, ended, without access.
        cursor.execute(
            """
            INSERT INTO parties_caseparticipant (role, side, is_lead, start_date, end_date,
                created_at, case_id, user_id, defendant_id)
            SELECT 'defense_counsel', 'defense', true, opened_on, opened_on + 21, created_at,
                id, %(dc0)s + floor(%(dc)s * random())::int, NULL
            FROM cases_case WHERE random() < 0.03
            """,
            {"dc0": ids.defense_counsel, "dc": shape.defense_counsel},
        )

    permission_ids = dict(
        Permission.objects.filter(content_type__app_label="cases", content_type__model="case")
        .values_list("codename", "id")
    )  # fmt: skip
    role_perms = [
        (role, permission_ids[codename])
        for role, codenames in CASE_PERMISSIONS_BY_ROLE.items()
        for codename in sorted(codenames)
    ]
    with _step(log, "user permission rows"):
        cursor.execute(
            """
            INSERT INTO cases_caseuserobjectpermission (content_object_id, permission_id, user_id)
            SELECT p.case_id, m.permission_id, coalesce(p.user_id, d.user_id)
            FROM parties_caseparticipant p
            LEFT JOIN parties_defendant d ON d.id = p.defendant_id
            JOIN unnest(%s::text[], %s::int[]) m(role, permission_id) ON m.role = p.role
            WHERE p.end_date IS NULL AND coalesce(p.user_id, d.user_id) IS NOT NULL
            """,
            [[role for role, _ in role_perms], [perm for _, perm in role_perms]],
        )
    with _step(log, "court group permission rows"):
        cursor.execute(
            """
            INSERT INTO cases_casegroupobjectpermission (content_object_id, group_id, permission_id)
            SELECT c.id, ct.group_id, perm.id
            FROM cases_case c JOIN cases_court ct ON ct.id = c.court_id
            CROSS JOIN unnest(%s::int[]) perm(id)
            ORDER BY c.id
            """,
            [[permission_ids[codename] for codename in sorted(COURT_GROUP_PERMISSIONS)]],
        )
    for table in ["auth_user", "parties_defendant", "cases_case"]:
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
            f"(SELECT coalesce(max(id), 0) + 1 FROM {table}), false)"
        )


def _users(
    cursor, first: int, last: int, prefix: str, role: str, organizations: Sequence[int | None]
) -> None:
    """Users first..last (inclusive) with a profile; organizations are handed out round-robin."""
    if last < first:
        return
    single = first == last
    cursor.execute(
        """
        INSERT INTO auth_user (id, password, is_superuser, username, first_name, last_name,
            email, is_staff, is_active, date_joined)
        SELECT g, '!', false, username, (%(first)s::text[])[1 + g %% 35],
            (%(last)s::text[])[1 + (g / 35) %% cardinality(%(last)s::text[])],
            username || '@example.org', false, true, timestamptz '2015-01-01'
        FROM generate_series(%(lo)s, %(hi)s) g,
            LATERAL (SELECT CASE WHEN %(single)s THEN %(prefix)s
                            ELSE %(prefix)s || '.' || (g - %(lo)s + 1) END AS username) u
        """,
        {
            "first": FIRST_NAMES,
            "last": LAST_NAMES,
            "lo": first,
            "hi": last,
            "prefix": prefix,
            "single": single,
        },
    )
    cursor.execute(
        """
        INSERT INTO parties_userprofile (user_id, role_kind, bar_number, organization_id,
            is_supervisor)
        SELECT g, %(role)s,
            CASE WHEN %(role)s IN ('prosecutor', 'defense_counsel', 'duty_lawyer')
                 THEN 'BAR-' || g ELSE '' END,
            (%(orgs)s::bigint[])[1 + (g - %(lo)s) %% cardinality(%(orgs)s::bigint[])],
            false
        FROM generate_series(%(lo)s, %(hi)s) g
        """,
        {"role": role, "orgs": organizations, "lo": first, "hi": last},
    )
