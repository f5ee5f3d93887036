"""SQL that sets up the roles and row-level security; used by migrations and tests.

Policies are written per table so the schema says exactly who sees what:
- the app role sees a row when its `tenant_id` is the transaction's `app.tenant_id`
  (and, for per-user tables, when its user column is `app.user_id`);
- the system role sees everything, and is used only through `system_session()`;
- tables owned by the platform itself (email tokens, outbox, webhook idempotency) are not
  granted to the app role at all.
"""

from __future__ import annotations

HELPER_FUNCTIONS = [
    """
    CREATE OR REPLACE FUNCTION app_current_tenant() RETURNS uuid
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT NULLIF(current_setting('app.tenant_id', true), '')::uuid $$
    """,
    """
    CREATE OR REPLACE FUNCTION app_current_user() RETURNS uuid
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT NULLIF(current_setting('app.user_id', true), '')::uuid $$
    """,
]


def create_roles(app_role: str, system_role: str) -> list[str]:
    """Idempotent: roles are cluster-wide and shared by every database of the cluster."""
    return [
        f"""
        DO $$ BEGIN
          IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{role}') THEN
            CREATE ROLE {role} NOLOGIN NOINHERIT;
          END IF;
        END $$
        """
        for role in (app_role, system_role)
    ]


def grant_schema(app_role: str, system_role: str) -> list[str]:
    return [
        f"GRANT USAGE ON SCHEMA public TO {app_role}, {system_role}",
        "GRANT EXECUTE ON FUNCTION app_current_tenant(), app_current_user()"
        f" TO {app_role}, {system_role}",
    ]


def enable_tenant_rls(
    table: str, app_role: str, system_role: str, user_column: str | None = None
) -> list[str]:
    visible = "tenant_id = app_current_tenant()"
    if user_column:
        visible = f"({visible} OR {user_column} = app_current_user())"
    return [
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON {table} TO {app_role}, {system_role}",
        f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY",
        f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY",
        f"CREATE POLICY tenant_isolation ON {table} TO {app_role} "
        f"USING ({visible}) WITH CHECK (tenant_id = app_current_tenant())",
        f"CREATE POLICY system_access ON {table} TO {system_role} USING (true) WITH CHECK (true)",
    ]


def enable_custom_rls(
    table: str, app_role: str, system_role: str, using: str, check: str
) -> list[str]:
    return [
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON {table} TO {app_role}, {system_role}",
        f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY",
        f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY",
        f"CREATE POLICY tenant_isolation ON {table} TO {app_role}"
        f" USING ({using}) WITH CHECK ({check})",
        f"CREATE POLICY system_access ON {table} TO {system_role} USING (true) WITH CHECK (true)",
    ]


def system_only(table: str, system_role: str) -> list[str]:
    return [f"GRANT SELECT, INSERT, UPDATE, DELETE ON {table} TO {system_role}"]


def grant_sequences(app_role: str, system_role: str) -> list[str]:
    return [f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {app_role}, {system_role}"]
