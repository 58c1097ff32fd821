#!/usr/bin/env bash
# Start a throwaway PostgreSQL server for the test suite (Debian's postgresql package; installed
# here when missing) on 127.0.0.1:${AFSTAND_PG_PORT:-25432}, data in a temporary folder. The port is
# below Linux's ephemeral range (32768–60999): after a test run's thousands of client connections a
# port inside it can still be held by a socket in TIME_WAIT, and PostgreSQL then cannot bind.
# Prints the database URL on stdout. Stop it with: scripts/postgres.sh stop
# fsync is off (a throwaway test server) unless AFSTAND_PG_FSYNC=on (the benchmarks use it on).
set -euo pipefail
port="${AFSTAND_PG_PORT:-25432}"
data="${AFSTAND_PG_DATA:-/tmp/afstand-pg-$port}"
if [ "${1:-}" = "stop" ]; then
  bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
  [ -d "$data" ] && su postgres -s /bin/sh -c "$bin/pg_ctl -D '$data' -m fast stop" >/dev/null 2>&1 || true
  rm -rf "$data"
  exit 0
fi
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
fi
bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
rm -rf "$data" && mkdir -p "$data" && chown postgres "$data"
su postgres -s /bin/sh -c "$bin/initdb -D '$data' -U postgres --auth=trust -E UTF8 >/dev/null"
su postgres -s /bin/sh -c "$bin/pg_ctl -D '$data' -o '-c listen_addresses=127.0.0.1 -p $port -c unix_socket_directories=$data -c fsync=${AFSTAND_PG_FSYNC:-off}' -l '$data/log' -w start >/dev/null" \
  || { echo "PostgreSQL did not start; the end of its log:" >&2; tail -20 "$data/log" >&2; exit 1; }
su postgres -s /bin/sh -c "$bin/psql -h 127.0.0.1 -p $port -U postgres -qc \"CREATE DATABASE afstand\"" >/dev/null
echo "postgresql://postgres@127.0.0.1:$port/afstand"
