-- What the application's own database role may do: read and write every table, append to the
-- audit trail, and never change, erase or empty it (no trigger stops a TRUNCATE; only this
-- does). Run as the role that owns the tables (the one that runs `migrate`), after the first
-- migrate, and after a restore made with --no-owner --no-privileges:
--
--   psql -v ON_ERROR_STOP=1 -v app_role=parley_app -f scripts/app-role-grants.sql "$OWNER_URL"
--
-- A dump keeps these grants; pg_restore re-applies them when the role exists on the server.
GRANT USAGE ON SCHEMA public TO :"app_role";
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO :"app_role";
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO :"app_role";
-- Tables and sequences that later migrations create, when the owner runs them.
ALTER DEFAULT PRIVILEGES IN SCHEMA public
    GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO :"app_role";
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO :"app_role";
REVOKE UPDATE, DELETE, TRUNCATE ON audit_event FROM :"app_role";
