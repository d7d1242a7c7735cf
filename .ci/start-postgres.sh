# shellcheck shell=bash
# Sourced by .ci/run: a throwaway PostgreSQL server for the test suite.
#
# - installs Debian's `postgresql` when no initdb/pg_ctl is found;
# - runs initdb in a fresh temp dir (as the `postgres` user when we are root,
#   since initdb refuses root), trust auth, listening only on 127.0.0.1 on a
#   free port, unix socket inside the temp dir;
# - creates the database `sheetclerk_test` and exports
#   SHEETCLERK_TEST_PG_URL=postgresql+psycopg://postgres@127.0.0.1:PORT/sheetclerk_test
#   (tests/conftest.py gives each xdist worker and each test its own database there);
# - test-friendly settings: no fsync, and a lock wait of over a minute is an error
#   (connections of one test waiting on each other fail the test instead of hanging CI);
# - stops the server and removes the dir when the sourcing shell exits
#   (chained onto any EXIT trap already set, so other blocks keep theirs).
#
# Idempotent: when SHEETCLERK_TEST_PG_URL is already set (sourced twice, or a
# developer points it at their own server) it does nothing.
# Everything here is prefixed `_sheetclerk_pg` so it cannot clash with the rest of .ci/run.

_sheetclerk_pg_bindir() {
    local d
    # Follow a symlink (/usr/local/bin/initdb -> /usr/lib/postgresql/15/bin/initdb):
    # createdb and postgres live beside the real one.
    d="$(dirname "$(readlink -f "$(command -v initdb 2>/dev/null || echo /nonexistent/initdb)")")"
    if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ] && [ -x "$d/createdb" ]; then
        echo "$d"
        return 0
    fi
    # Debian keeps the server binaries out of PATH; take the newest version.
    for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
        if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ] && [ -x "$d/createdb" ]; then
            echo "$d"
            return 0
        fi
    done
    return 1
}

# Run a command as the cluster's owner: `postgres` when we are root, else ourselves.
_sheetclerk_pg_as_owner() {
    if [ "$(id -u)" -eq 0 ]; then
        if command -v runuser >/dev/null 2>&1; then
            runuser -u postgres -- "$@"
        else
            su postgres -s /bin/sh -c "$(printf '%q ' "$@")"
        fi
    else
        "$@"
    fi
}

_sheetclerk_pg_free_port() {
    python3 - <<'PY'
import socket

def free(port):
    with socket.socket() as s:
        # As postgres binds: a port left in TIME_WAIT by the last run is free.
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return None
        return s.getsockname()[1]

print(free(54329) or free(0))
PY
}

_sheetclerk_pg_stop() {
    if [ -n "${_SHEETCLERK_PG_DIR:-}" ] && [ -d "$_SHEETCLERK_PG_DIR" ]; then
        echo "PostgreSQL (tests): stopping the throwaway server in $_SHEETCLERK_PG_DIR"
        _sheetclerk_pg_as_owner "$_SHEETCLERK_PG_BIN/pg_ctl" -D "$_SHEETCLERK_PG_DIR/data" \
            -m fast -w -t 30 stop >/dev/null 2>&1 || true
        rm -rf "$_SHEETCLERK_PG_DIR" || true
    fi
    _SHEETCLERK_PG_DIR=""
}

_sheetclerk_pg_start() {
    if [ -n "${SHEETCLERK_TEST_PG_URL:-}" ]; then
        echo "PostgreSQL (tests): using SHEETCLERK_TEST_PG_URL as given"
        return 0
    fi

    if ! _SHEETCLERK_PG_BIN="$(_sheetclerk_pg_bindir)"; then
        echo "PostgreSQL (tests): no initdb/pg_ctl found, installing Debian's postgresql"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
        _SHEETCLERK_PG_BIN="$(_sheetclerk_pg_bindir)" || {
            echo "PostgreSQL (tests): still no initdb/pg_ctl after installing postgresql" >&2
            return 1
        }
    fi
    if [ "$(id -u)" -eq 0 ] && ! id postgres >/dev/null 2>&1; then
        # Binaries from somewhere other than the Debian package: make the owner it would have made.
        useradd --system --no-create-home --shell /bin/sh postgres
    fi

    # In /tmp, not $TMPDIR: the `postgres` user must be able to reach it.
    _SHEETCLERK_PG_DIR="$(mktemp -d /tmp/sheetclerk-pg.XXXXXX)"
    if [ "$(id -u)" -eq 0 ]; then
        chown postgres: "$_SHEETCLERK_PG_DIR"
    fi
    # Stop on exit, keeping whatever EXIT trap .ci/run already has
    # (`trap -p` prints `trap -- 'CMD' EXIT`, quoted for eval).
    local existing=":"
    if [ -n "$(trap -p EXIT)" ]; then
        eval "set -- $(trap -p EXIT)"
        existing="$3"
    fi
    # shellcheck disable=SC2064  # expand the existing trap now, on purpose
    trap "_sheetclerk_pg_stop; $existing" EXIT

    local port
    port="$(_sheetclerk_pg_free_port)"
    echo "PostgreSQL (tests): $("$_SHEETCLERK_PG_BIN/postgres" --version), port $port, dir $_SHEETCLERK_PG_DIR"

    _sheetclerk_pg_as_owner "$_SHEETCLERK_PG_BIN/initdb" -D "$_SHEETCLERK_PG_DIR/data" \
        -U postgres --auth=trust --encoding=UTF8 --locale=C --no-sync >"$_SHEETCLERK_PG_DIR/initdb.log" 2>&1 || {
        cat "$_SHEETCLERK_PG_DIR/initdb.log" >&2
        return 1
    }
    _sheetclerk_pg_as_owner "$_SHEETCLERK_PG_BIN/pg_ctl" -D "$_SHEETCLERK_PG_DIR/data" \
        -l "$_SHEETCLERK_PG_DIR/server.log" -w -t 60 \
        -o "-c listen_addresses=127.0.0.1 -p $port -c unix_socket_directories=$_SHEETCLERK_PG_DIR -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200 -c lock_timeout=60s" \
        start >/dev/null || {
        cat "$_SHEETCLERK_PG_DIR/server.log" >&2
        return 1
    }
    _sheetclerk_pg_as_owner "$_SHEETCLERK_PG_BIN/createdb" -h 127.0.0.1 -p "$port" -U postgres sheetclerk_test

    export SHEETCLERK_TEST_PG_URL="postgresql+psycopg://postgres@127.0.0.1:$port/sheetclerk_test"
    echo "PostgreSQL (tests): SHEETCLERK_TEST_PG_URL=$SHEETCLERK_TEST_PG_URL"
}

_sheetclerk_pg_start
