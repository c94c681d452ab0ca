"""The SQL behind the audit trail: the trigger function, the append-only guard, and the list of
tables it watches. Migrations call these with the table list frozen in them.

Each watched table has a subject (the word used in event kinds: "note", "offer"), and says
which case a row belongs to and its audience (who may read its history). Each is either
`col:<column>` (read from the row), `lit:<value>` (a constant), `none`, or an SQL expression in
which `$1` is the row as jsonb (the new row, or the old one for a delete); only expressions
cost a dynamic statement per row.

Two triggers record each watched table: `audit_row_change`, row by row, for updates and deletes;
and `audit_rows_inserted`, once per INSERT statement, which writes the events of every row the
statement inserted with one INSERT … SELECT over the statement's transition table (a bulk write,
such as a docket import's thousand hearings, costs one statement of trail rather than a thousand
trigger calls). The rows it writes are those the row trigger would write for each row, in the
same order: same kind, row, case, audience, actor, `after` (masked and without the ignored
columns) and an empty `data`.
"""

from __future__ import annotations

from dataclasses import dataclass

CONTEXT_SETTING = "parley.audit_context"

_NEGOTIATION_OF_OFFER = (
    "(SELECT CASE WHEN o.sent_at IS NULL THEN o.side ELSE 'negotiation' END "
    "FROM negotiations_offer o WHERE o.id = ($1->>'offer_id')::bigint)"
)
_CASE_OF_OFFER = (
    "(SELECT o.case_id FROM negotiations_offer o WHERE o.id = ($1->>'offer_id')::bigint)"
)


@dataclass(frozen=True)
class Watched:
    table: str
    subject: str
    case: str = "col:case_id"
    audience: str = "lit:shared"
    # Columns whose values never reach the trail: a change to them is recorded as
    # "[redacted]" (secrets) ...
    mask: str = ""
    # ... or not at all (what changes on every sign-in or every touch of a case).
    ignore: str = ""


WATCHED: tuple[Watched, ...] = (
    # updated_at moves whenever anything on the case moves, even behind a wall: not recorded.
    Watched("cases_case", "case", case="col:id", ignore="updated_at"),
    Watched("cases_charge", "charge"),
    Watched("cases_casestatuschange", "status_change"),
    Watched(
        "cases_caseuserobjectpermission",
        "access",
        case="col:content_object_id",
    ),
    Watched(
        "cases_casegroupobjectpermission",
        "access",
        case="col:content_object_id",
    ),
    # The conflicts of interest found when a person joined are facts about connected cases,
    # which not every reader of this case may see: they are said to each reader where the
    # parties are listed (parties.services.conflict_sentences), never copied into the trail.
    Watched("parties_caseparticipant", "participant", mask="conflicts"),
    Watched("parties_defendant", "defendant", case="none"),
    Watched(
        "negotiations_offer",
        "offer",
        audience="CASE WHEN $1->>'sent_at' IS NULL THEN $1->>'side' ELSE 'negotiation' END",
    ),
    Watched(
        "negotiations_offerterm", "offer_term", case=_CASE_OF_OFFER, audience=_NEGOTIATION_OF_OFFER
    ),
    Watched(
        "negotiations_concession", "concession", case=_CASE_OF_OFFER, audience=_NEGOTIATION_OF_OFFER
    ),
    Watched("negotiations_suggestion", "suggestion", audience="lit:negotiation"),
    Watched(
        "negotiations_pleaagreement",
        "agreement",
        audience="CASE WHEN $1->>'submitted_at' IS NULL THEN 'negotiation' ELSE 'shared' END",
    ),
    Watched(
        "negotiations_signature",
        "signature",
        case="(SELECT a.case_id FROM negotiations_pleaagreement a "
        "WHERE a.id = ($1->>'agreement_id')::bigint)",
        audience="(SELECT CASE WHEN a.submitted_at IS NULL THEN 'negotiation' ELSE 'shared' END "
        "FROM negotiations_pleaagreement a WHERE a.id = ($1->>'agreement_id')::bigint)",
    ),
    Watched("deadlines_hearing", "hearing"),
    Watched(
        "deadlines_hearingchange",
        "hearing_change",
        case="(SELECT h.case_id FROM deadlines_hearing h WHERE h.id = ($1->>'hearing_id')::bigint)",
    ),
    Watched(
        "deadlines_deadline",
        "deadline",
        audience="CASE WHEN $1->>'kind' IN ('offer_expiry', 'suggestion_response_due') "
        "THEN 'negotiation' ELSE 'shared' END",
    ),
    Watched(
        "deadlines_deadlinechange",
        "deadline_change",
        case="(SELECT d.case_id FROM deadlines_deadline d "
        "WHERE d.id = ($1->>'deadline_id')::bigint)",
        audience="(SELECT CASE WHEN d.kind IN ('offer_expiry', 'suggestion_response_due') "
        "THEN 'negotiation' ELSE 'shared' END FROM deadlines_deadline d "
        "WHERE d.id = ($1->>'deadline_id')::bigint)",
    ),
    Watched("deadlines_deadlinerule", "deadline_rule", case="none"),
    Watched("deadlines_courtclosure", "closure", case="none"),
    Watched("deadlines_courtroom", "courtroom", case="none"),
    Watched("records_note", "note", audience="col:visibility"),
    Watched("records_document", "document", audience="col:visibility"),
    Watched("records_disclosure", "disclosure"),
    # Reference data that decides what a case may hold and who may act in a court.
    Watched("cases_jurisdiction", "jurisdiction", case="none"),
    Watched("cases_court", "court", case="none"),
    Watched("cases_statute", "statute", case="none"),
    Watched("cases_statute_lesser_included", "lesser_included", case="none"),
    Watched("parties_organization", "organization", case="none"),
    Watched("parties_userprofile", "profile", case="none"),
    # Accounts and credentials: who may sign in and as what; never the secrets themselves.
    Watched("auth_user", "user", case="none", mask="password", ignore="last_login"),
    Watched("authtoken_token", "api_token", case="none", mask="key"),
    # Sign-in (accounts): personal tokens and second factors; the secrets never, and not what
    # changes on every use (last use, the code counter, throttling).
    Watched(
        "accounts_personaltoken",
        "personal_token",
        case="none",
        mask="key_hash",
        ignore="last_used_at",
    ),
    Watched(
        "otp_totp_totpdevice",
        "authenticator",
        case="none",
        mask="key",
        ignore="last_t,drift,throttling_failure_timestamp,throttling_failure_count,last_used_at",
    ),
    Watched(
        "otp_static_staticdevice",
        "recovery_codes",
        case="none",
        ignore="throttling_failure_timestamp,throttling_failure_count,last_used_at",
    ),
    Watched("otp_static_statictoken", "recovery_code", case="none", mask="token"),
    # Integrations: who made which API client, token and webhook endpoint, and when each was
    # revoked, rotated or disabled. Secrets never reach the trail; use is not recorded.
    Watched("integrations_apiclient", "api_client", case="none"),
    Watched(
        "integrations_apitoken",
        "client_token",
        case="none",
        mask="key_hash",
        ignore="last_used_at",
    ),
    Watched("webhooks_webhookendpoint", "webhook_endpoint", case="none"),
    Watched("webhooks_webhooksecret", "webhook_secret", case="none", mask="secret"),
    # Who holds which permission outside single cases: court membership and global grants.
    Watched("auth_user_groups", "membership", case="none"),
    Watched("auth_user_user_permissions", "user_permission", case="none"),
    Watched("auth_group_permissions", "group_permission", case="none"),
)

FUNCTION_SQL = f"""
CREATE OR REPLACE FUNCTION audit_row_change() RETURNS trigger
LANGUAGE plpgsql AS $fn$
DECLARE
    new_row jsonb := CASE WHEN TG_OP <> 'DELETE' THEN to_jsonb(NEW) END;
    old_row jsonb := CASE WHEN TG_OP <> 'INSERT' THEN to_jsonb(OLD) END;
    subject_row jsonb;
    ctx jsonb := nullif(current_setting('{CONTEXT_SETTING}', true), '')::jsonb;
    case_ref bigint;
    audience_of text;
    changed_before jsonb;
    changed_after jsonb;
    masked text;
BEGIN
    IF TG_NARGS > 4 AND TG_ARGV[4] <> '' THEN
        new_row := new_row - string_to_array(TG_ARGV[4], ',');
        old_row := old_row - string_to_array(TG_ARGV[4], ',');
    END IF;
    subject_row := coalesce(new_row, old_row);
    IF TG_OP = 'UPDATE' THEN
        SELECT jsonb_object_agg(n.key, n.value) INTO changed_after
          FROM jsonb_each(new_row) n WHERE old_row -> n.key IS DISTINCT FROM n.value;
        IF changed_after IS NULL THEN
            RETURN NULL;  -- nothing changed: nothing to record
        END IF;
        SELECT jsonb_object_agg(o.key, o.value) INTO changed_before
          FROM jsonb_each(old_row) o WHERE new_row -> o.key IS DISTINCT FROM o.value;
    ELSE
        changed_before := old_row;
        changed_after := new_row;
    END IF;
    IF TG_NARGS > 3 AND TG_ARGV[3] <> '' THEN
        FOREACH masked IN ARRAY string_to_array(TG_ARGV[3], ',') LOOP
            IF changed_before ? masked THEN
                changed_before := jsonb_set(changed_before, ARRAY[masked], '"[redacted]"');
            END IF;
            IF changed_after ? masked THEN
                changed_after := jsonb_set(changed_after, ARRAY[masked], '"[redacted]"');
            END IF;
        END LOOP;
    END IF;
    IF TG_ARGV[1] LIKE 'col:%' THEN
        case_ref := (subject_row ->> substr(TG_ARGV[1], 5))::bigint;
    ELSIF TG_ARGV[1] <> 'none' THEN
        EXECUTE format('SELECT (%s)::bigint', TG_ARGV[1]) INTO case_ref USING subject_row;
    END IF;
    IF TG_ARGV[2] LIKE 'lit:%' THEN
        audience_of := substr(TG_ARGV[2], 5);
    ELSIF TG_ARGV[2] LIKE 'col:%' THEN
        audience_of := subject_row ->> substr(TG_ARGV[2], 5);
    ELSE
        EXECUTE format('SELECT (%s)::text', TG_ARGV[2]) INTO audience_of USING subject_row;
    END IF;
    INSERT INTO audit_event (
        occurred_at, kind, table_name, row_id, case_id, audience, actor_id, actor_name, via,
        request_id, ip, db_user, before, after, data
    ) VALUES (
        clock_timestamp(),
        TG_ARGV[0] || '.' || CASE TG_OP WHEN 'INSERT' THEN 'created'
                                        WHEN 'UPDATE' THEN 'changed' ELSE 'deleted' END,
        TG_TABLE_NAME,
        coalesce(subject_row ->> 'id', ''),
        case_ref,
        coalesce(audience_of, 'restricted'),
        (ctx ->> 'actor_id')::integer,
        coalesce(ctx ->> 'actor_name', ''),
        coalesce(ctx ->> 'via', ''),
        coalesce(ctx ->> 'request_id', ''),
        (ctx ->> 'ip')::inet,
        session_user,
        changed_before,
        changed_after,
        '{{}}'::jsonb
    );
    RETURN NULL;
END
$fn$;

CREATE OR REPLACE FUNCTION audit_append_only() RETURNS trigger
LANGUAGE plpgsql AS $fn$
BEGIN
    RAISE EXCEPTION 'audit_event is append-only: % is not allowed', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$fn$;

CREATE TRIGGER audit_event_append_only
    BEFORE UPDATE OR DELETE ON audit_event
    FOR EACH ROW EXECUTE FUNCTION audit_append_only();
"""  # noqa: S608 (no user input: the setting name is a constant)

# The statement-level trigger of INSERTs (see the module's docstring): the same arguments as
# audit_row_change, and the rows it would write, set-based. The case and the audience are
# columns or constants read in a statement planned once per table; an expression (a subquery
# on $1, the row) is substituted into a dynamic statement, once per INSERT statement.
INSERT_FUNCTION_SQL = f"""
CREATE OR REPLACE FUNCTION audit_rows_insert() RETURNS trigger
LANGUAGE plpgsql AS $fn$
DECLARE
    ctx jsonb := nullif(current_setting('{CONTEXT_SETTING}', true), '')::jsonb;
    ignored text[] := CASE WHEN TG_NARGS > 4 AND TG_ARGV[4] <> ''
                           THEN string_to_array(TG_ARGV[4], ',') ELSE '{{}}'::text[] END;
    masks text[] := CASE WHEN TG_NARGS > 3 AND TG_ARGV[3] <> ''
                         THEN string_to_array(TG_ARGV[3], ',') ELSE '{{}}'::text[] END;
    kind text := TG_ARGV[0] || '.created';
    case_column text;
    audience_literal text;
    audience_column text;
    case_sql text;
    audience_sql text;
BEGIN
    IF TG_ARGV[1] LIKE 'col:%' THEN
        case_column := substr(TG_ARGV[1], 5);
    ELSIF TG_ARGV[1] <> 'none' THEN
        case_sql := format('(%s)::bigint', replace(TG_ARGV[1], '$1', 'audit_new_row.r'));
    END IF;
    IF TG_ARGV[2] LIKE 'lit:%' THEN
        audience_literal := substr(TG_ARGV[2], 5);
    ELSIF TG_ARGV[2] LIKE 'col:%' THEN
        audience_column := substr(TG_ARGV[2], 5);
    ELSE
        audience_sql := format('(%s)::text', replace(TG_ARGV[2], '$1', 'audit_new_row.r'));
    END IF;
    IF case_sql IS NULL AND audience_sql IS NULL THEN
        INSERT INTO audit_event (
            occurred_at, kind, table_name, row_id, case_id, audience, actor_id, actor_name, via,
            request_id, ip, db_user, before, after, data
        )
        SELECT
            clock_timestamp(), kind, TG_TABLE_NAME, coalesce(audit_new_row.r ->> 'id', ''),
            (audit_new_row.r ->> case_column)::bigint,
            coalesce(coalesce(audience_literal, audit_new_row.r ->> audience_column),
                     'restricted'),
            (ctx ->> 'actor_id')::integer, coalesce(ctx ->> 'actor_name', ''),
            coalesce(ctx ->> 'via', ''), coalesce(ctx ->> 'request_id', ''),
            (ctx ->> 'ip')::inet, session_user, NULL,
            CASE WHEN cardinality(masks) = 0 THEN audit_new_row.r
                 ELSE audit_new_row.r || coalesce(
                     (SELECT jsonb_object_agg(m, '"[redacted]"'::jsonb)
                      FROM unnest(masks) m WHERE audit_new_row.r ? m), '{{}}'::jsonb)
            END,
            '{{}}'::jsonb
        FROM (SELECT to_jsonb(n) - ignored AS r FROM audit_new n) audit_new_row;
    ELSE
        EXECUTE format($sql$
            INSERT INTO audit_event (
                occurred_at, kind, table_name, row_id, case_id, audience, actor_id, actor_name,
                via, request_id, ip, db_user, before, after, data
            )
            SELECT
                clock_timestamp(), $1, $2, coalesce(audit_new_row.r ->> 'id', ''),
                %s, coalesce(%s, 'restricted'),
                ($3 ->> 'actor_id')::integer, coalesce($3 ->> 'actor_name', ''),
                coalesce($3 ->> 'via', ''), coalesce($3 ->> 'request_id', ''),
                ($3 ->> 'ip')::inet, session_user, NULL,
                CASE WHEN cardinality($4) = 0 THEN audit_new_row.r
                     ELSE audit_new_row.r || coalesce(
                         (SELECT jsonb_object_agg(m, '"[redacted]"'::jsonb)
                          FROM unnest($4) m WHERE audit_new_row.r ? m), '{{}}'::jsonb)
                END,
                '{{}}'::jsonb
            FROM (SELECT to_jsonb(n) - $5 AS r FROM audit_new n) audit_new_row
            $sql$,
            coalesce(case_sql, CASE WHEN case_column IS NULL THEN 'NULL::bigint'
                                    ELSE format('(audit_new_row.r ->> %L)::bigint', case_column)
                               END),
            coalesce(audience_sql, CASE WHEN audience_column IS NULL
                                        THEN format('%L::text', audience_literal)
                                        ELSE format('audit_new_row.r ->> %L', audience_column)
                                   END)
        ) USING kind, TG_TABLE_NAME::text, ctx, masks, ignored;
    END IF;
    RETURN NULL;
END
$fn$;
"""  # noqa: S608 (no user input: the setting name is a constant)

DROP_INSERT_FUNCTION_SQL = "DROP FUNCTION IF EXISTS audit_rows_insert();"

DROP_FUNCTION_SQL = """
DROP TRIGGER IF EXISTS audit_event_append_only ON audit_event;
DROP FUNCTION IF EXISTS audit_append_only();
DROP FUNCTION IF EXISTS audit_row_change();
"""


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _arguments(watched: Watched) -> str:
    return f"{_quote(watched.subject)}, {_quote(watched.case)}, {_quote(watched.audience)}" + (
        f", {_quote(watched.mask)}, {_quote(watched.ignore)}"
        if watched.mask or watched.ignore
        else ""
    )


def watch_sql(watched: Watched) -> str:
    """The table's two triggers: row by row for updates and deletes, once a statement for
    inserts (replacing whatever audit triggers the table had)."""
    return (
        unwatch_sql(watched)
        + f" CREATE TRIGGER audit_row_change AFTER UPDATE OR DELETE ON {watched.table} "
        f"FOR EACH ROW EXECUTE FUNCTION audit_row_change({_arguments(watched)});"
        f" CREATE TRIGGER audit_rows_inserted AFTER INSERT ON {watched.table} "
        "REFERENCING NEW TABLE AS audit_new "
        f"FOR EACH STATEMENT EXECUTE FUNCTION audit_rows_insert({_arguments(watched)});"
    )


def watch_rows_sql(watched: Watched) -> str:
    """The table's one trigger as it was before audit_rows_inserted (migrations going back)."""
    return (
        unwatch_sql(watched)
        + f" CREATE TRIGGER audit_row_change AFTER INSERT OR UPDATE OR DELETE ON {watched.table} "
        f"FOR EACH ROW EXECUTE FUNCTION audit_row_change({_arguments(watched)});"
    )


def unwatch_sql(watched: Watched) -> str:
    return (
        f"DROP TRIGGER IF EXISTS audit_row_change ON {watched.table}; "
        f"DROP TRIGGER IF EXISTS audit_rows_inserted ON {watched.table};"
    )
