#!/usr/bin/env bash
# Installs (from Debian packages) and starts a throwaway PostgreSQL on 127.0.0.1 for the sample's
# shared-outbox tests. Prints the connection URL on stdout. Needs root (CI and the dev machines are).
set -euo pipefail
# The first free port from 54329 up (a server left over from an earlier run keeps its port).
port="${KARDKIT_PG_PORT:-}"
if [ -z "$port" ]; then
  for candidate in $(seq 54329 54349); do
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$candidate") 2>/dev/null; then port=$candidate; break; fi
  done
fi
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql) >&2
fi
bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
data=$(mktemp -d /tmp/kardkit-pg.XXXXXX)
chown postgres "$data"
runuser -u postgres -- "$bin/initdb" -D "$data" -A trust -U postgres >/dev/null
runuser -u postgres -- "$bin/pg_ctl" -D "$data" -l "$data/server.log" -w \
  -o "-h 127.0.0.1 -p $port -k /tmp -c fsync=off" start >/dev/null
echo "postgres://postgres@127.0.0.1:$port/postgres"
