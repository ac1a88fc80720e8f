# The drflow worker image (drctl included). It copies the jars a host build produced:
#   mvn -B -DskipTests package && docker compose build worker
# so the image holds exactly what the tests ran against.
FROM eclipse-temurin:21-jre-noble

# pg_dump, pg_dumpall, pg_restore and psql; their major version must be at least the servers'
# (the compose stack runs PostgreSQL 16).
RUN apt-get update \
 && apt-get install -y --no-install-recommends postgresql-client-16 \
 && rm -rf /var/lib/apt/lists/*

RUN useradd --system --uid 10001 --home-dir /var/lib/drflow drflow \
 && mkdir -p /var/lib/drflow/work \
 && chown -R drflow /var/lib/drflow

# Each jar's manifest names its libraries under lib/; both modules share one set of versions.
COPY worker/target/lib/ /opt/drflow/lib/
COPY starter-cli/target/lib/ /opt/drflow/lib/
COPY worker/target/drflow-worker.jar starter-cli/target/drctl.jar /opt/drflow/

USER drflow
WORKDIR /var/lib/drflow
# Exec form: java is PID 1 and gets SIGTERM itself, so the worker drains in-flight activities.
ENTRYPOINT ["java", "--enable-native-access=ALL-UNNAMED", "-jar", "/opt/drflow/drflow-worker.jar"]
CMD ["--config", "/etc/drflow/drflow.yaml"]
