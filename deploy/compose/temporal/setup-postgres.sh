#!/bin/sh
# Creates (or upgrades) Temporal's schemas in its PostgreSQL; idempotent, so it runs on every
# `docker compose up`. Runs in temporalio/admin-tools, which ships temporal-sql-tool (it reads
# the password from SQL_PASSWORD, so it never appears on a command line).
set -eu
tool() {
  temporal-sql-tool --plugin postgres12 --ep temporal-db -p 5432 -u "$POSTGRES_USER" "$@"
}
until nc -z temporal-db 5432; do echo "waiting for temporal-db"; sleep 1; done
for db in temporal temporal_visibility; do
  tool --db "$db" create || true
done
tool --db temporal setup-schema -v 0.0 || true
tool --db temporal update-schema -d /etc/temporal/schema/postgresql/v12/temporal/versioned
tool --db temporal_visibility setup-schema -v 0.0 || true
tool --db temporal_visibility update-schema -d /etc/temporal/schema/postgresql/v12/visibility/versioned
echo "temporal schemas ready"
