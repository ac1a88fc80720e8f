package io.drflow.bench;

import io.drflow.activities.local.LocalPostgresCluster;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/**
 * The benchmark's database: pgbench's tables ({@code pgbench -i -s N}) for about 60% of the
 * requested size, and {@code bench_events} for the rest: random text, numeric and timestamp rows
 * with two secondary indexes and a foreign key to {@code pgbench_accounts}.
 */
final class BenchDatabase {

  /** On-disk bytes per pgbench scale unit (100,000 accounts with their primary key). */
  static final double BYTES_PER_SCALE = 15.6 * 1024 * 1024;

  /** On-disk bytes per bench_events row, heap and indexes. */
  static final double BYTES_PER_EVENT = 240;

  private BenchDatabase() {}

  record Shape(int scale, long events) {
    static Shape forSize(double gigabytes) {
      double bytes = gigabytes * 1024 * 1024 * 1024;
      int scale = (int) Math.max(1, Math.round(bytes * 0.6 / BYTES_PER_SCALE));
      long events = Math.max(10_000, Math.round(bytes * 0.4 / BYTES_PER_EVENT));
      return new Shape(scale, events);
    }
  }

  /** Creates {@code database} on {@code cluster} and fills it; returns its size in bytes. */
  static long create(LocalPostgresCluster cluster, String database, Shape shape, Path pgBin, Path log) {
    cluster.psql("postgres", "create database " + database);
    Map<String, String> env =
        Map.of("PGHOST", cluster.host(), "PGPORT", String.valueOf(cluster.port()), "PGUSER", "postgres");
    Proc.run(
        Proc.cmd(pgBin.resolve("pgbench"), "-i", "-q", "-s", shape.scale(), database), env, log);
    cluster.psql(database, eventsSql(shape.scale() * 100_000L, shape.events()));
    return Long.parseLong(
        cluster.psql(database, "select pg_database_size(current_database())").strip());
  }

  private static String eventsSql(long accounts, long rows) {
    return String.format(
        Locale.ROOT,
        """
        create table bench_events (
          id bigserial primary key,
          account_id integer not null,
          kind text not null,
          note text not null,
          token text not null,
          amount numeric(12,2) not null,
          created_at timestamptz not null
        );
        insert into bench_events (account_id, kind, note, token, amount, created_at)
        select 1 + (random() * (%1$d - 1))::int,
               (array['deposit','withdrawal','transfer','fee','refund','chargeback'])[1 + (g %% 6)],
               array_to_string(array(
                 select (array['order','shipped','customer','invoice','payment','late','refund',
                   'warehouse','delivered','address','changed','priority','account','balance',
                   'credit','debit','review','approved','rejected','pending','manual','batch',
                   'nightly','import','export','ticket','support','escalated','closed','reopened'])
                   [1 + (random() * 29)::int]
                 from generate_series(1, 4 + (g %% 13))), ' '),
               md5(random()::text),
               round((random() * 100000)::numeric, 2),
               timestamptz '2026-01-01' - random() * interval '730 days'
        from generate_series(1, %2$d) g;
        create index bench_events_created_at on bench_events (created_at);
        create index bench_events_account on bench_events (account_id);
        alter table bench_events add constraint bench_events_account_fk
          foreign key (account_id) references pgbench_accounts (aid);
        vacuum analyze;
        """,
        accounts,
        rows);
  }
}
