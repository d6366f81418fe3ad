#!/usr/bin/env bash
# pg_server.sh -- a throwaway PostgreSQL 15 server for the tests.
#
#   pg_server.sh start STATE_DIR   initdb + pg_ctl start; writes STATE_DIR/env
#   pg_server.sh stop STATE_DIR    pg_ctl -m immediate stop; removes STATE_DIR
#   pg_server.sh crash STATE_DIR   pg_ctl -m immediate stop (a crash: no
#                                  checkpoint, sessions cut); keeps the data
#   pg_server.sh restart STATE_DIR start the crashed server again (crash
#                                  recovery), same port and socket
#
# The server listens on a unix socket in STATE_DIR/sock and on 127.0.0.1 at
# a free port picked at random (never Debian's default cluster on 5432), with
# TLS from a self-signed CA made here. Authentication: trust on the socket,
# scram-sha-256 over TCP. Superuser: mbtest, with a random password.
# Durability is off (fsync, synchronous_commit, full_page_writes): the data
# lives only as long as the test run. MB_PG_DURABLE=1 keeps PostgreSQL's
# defaults, for a test that crashes the server and expects every
# committed transaction to survive.
#
# initdb refuses to run as root: as root the server runs as the `postgres`
# account (MB_PG_OS_USER overrides it) through runuser or setpriv, and owns
# STATE_DIR. As anyone else it runs as the current user.
#
# STATE_DIR/env is shell-sourceable:
#   MB_PG_BIN       the PostgreSQL 15 binaries (initdb, psql, createdb ...)
#   MB_PG_SOCKET    the unix socket directory
#   MB_PG_HOST      127.0.0.1
#   MB_PG_PORT      the port (socket and TCP)
#   MB_PG_USER      mbtest (a superuser)
#   MB_PG_PASSWORD  its password (needed over TCP only)
#   MB_PG_ROOTCERT  the CA certificate that signed the server's certificate
#                   (CN localhost, SAN DNS:localhost, IP:127.0.0.1)
#   MB_PG_URL_BASE  libpq URL over the socket without the database name:
#                   postgresql://mbtest@%2Fpath%2Fto%2Fsock:PORT
#                   append /DBNAME (and ?param=value...) to use it
#   MB_PG_TCP_URL_BASE  the same over TCP, no password in it (use PGPASSWORD
#                   or add one): postgresql://mbtest@127.0.0.1:PORT
#
# MB_PG_WANT_PORT=N asks for port N instead of a random free one (for a
# client that must know the port before the server starts); start fails if
# N is taken.
#
# Starting a STATE_DIR that is already running stops it first. As root, the
# directories above STATE_DIR that the server account cannot enter but that
# root owns (e.g. a mktemp -d directory) get search permission for it (an
# ACL with setfacl when available, else o+x). When STATE_DIR stays out of
# its reach, or is too long for a socket path, the server's files go to a
# private directory under ${TMPDIR:-/tmp} instead (named in
# STATE_DIR/serverdir, removed by `stop` too): read MB_PG_SOCKET from env.
set -euo pipefail

PG_BIN=${MB_PG_BIN:-/usr/lib/postgresql/15/bin}
me=pg_server.sh
die() { echo "$me: $*" >&2; exit 1; }

usage() { echo "usage: $me start|stop|crash|restart STATE_DIR" >&2; exit 2; }
[ $# -eq 2 ] || usage
cmd=$1
[ -n "$2" ] || usage
state=$(realpath -m -- "$2")
marker=$state/.mb_pg_state

# as_server CMD...: run CMD as the account the server runs as
server_user=
as_server=()
if [ "$(id -u)" -eq 0 ]; then
    server_user=${MB_PG_OS_USER:-postgres}
    id "$server_user" >/dev/null 2>&1 ||
        die "running as root needs the unprivileged account \"$server_user\" for the server (set MB_PG_OS_USER)"
    if command -v runuser >/dev/null 2>&1; then
        as_server=(runuser -u "$server_user" --)
    else
        as_server=(setpriv --reuid="$server_user" --regid="$server_user" --init-groups --)
    fi
fi
as_server() { (cd / && "${as_server[@]}" "$@"); }

stop_server() {
    [ -e "$state" ] || return 0
    [ -f "$marker" ] || die "$state exists but was not made by $me; not touching it"
    local sd=$state
    [ -f "$state/serverdir" ] && sd=$(cat "$state/serverdir")
    if [ -f "$sd/data/postmaster.pid" ]; then
        as_server "$PG_BIN/pg_ctl" -D "$sd/data" -m immediate -w -t 30 stop \
            >/dev/null 2>&1 || true
        # a server that ignored the stop: kill its postmaster (bounded)
        local pid
        pid=$(head -n1 "$sd/data/postmaster.pid" 2>/dev/null || true)
        if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null &&
           grep -q postgres "/proc/$pid/comm" 2>/dev/null; then
            kill -QUIT "$pid" 2>/dev/null || true
            for _ in $(seq 1 50); do
                kill -0 "$pid" 2>/dev/null || break
                sleep 0.1
            done
        fi
    fi
    if [ "$sd" != "$state" ]; then rm -rf -- "$sd"; fi
    rm -rf -- "$state"
}

# reachable DIR: as root, give the server account search permission on
# the root-owned directories on the way to DIR; succeed if it can enter DIR
reachable() {
    local dir=$1 path='' part
    [ -n "$server_user" ] || return 0
    local -a parts
    IFS=/ read -ra parts <<<"${dir#/}"
    for part in "${parts[@]}"; do
        path=$path/$part
        as_server test -x "$path" && continue
        [ "$(stat -c %u "$path")" = "$(id -u)" ] || return 1
        if command -v setfacl >/dev/null 2>&1; then
            setfacl -m "u:$server_user:x" "$path" 2>/dev/null || chmod o+x "$path"
        else
            chmod o+x "$path"
        fi
    done
    as_server test -x "$dir"
}

# port_free PORT: nothing listens on it (TCP, any address) and no socket
port_free() {
    local p=$1
    [ -z "$(ss -Hltn "sport = :$p" 2>/dev/null)" ] || return 1
    ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null
}

pick_port() {
    local p=$((20000 + RANDOM % 30000))
    for _ in $(seq 1 200); do
        if port_free "$p"; then echo "$p"; return 0; fi
        p=$((p + 1 + RANDOM % 97))
        [ "$p" -lt 50000 ] || p=$((20000 + RANDOM % 1000))
    done
    die "no free TCP port found in 200 tries"
}

# make_tls DIR: ca.crt, server.crt, server.key (0600)
make_tls() {
    local d=$1
    openssl req -x509 -new -nodes -days 7 -subj "/CN=migbundle test CA" \
        -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
        -keyout "$d/ca.key" -out "$d/ca.crt" \
        -addext "basicConstraints=critical,CA:TRUE" \
        -addext "keyUsage=critical,keyCertSign,cRLSign" 2>"$d/openssl.log" ||
        { cat "$d/openssl.log" >&2; die "openssl: could not make the CA"; }
    openssl req -new -nodes -subj "/CN=localhost" \
        -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
        -keyout "$d/server.key" -out "$d/server.csr" 2>>"$d/openssl.log" ||
        { cat "$d/openssl.log" >&2; die "openssl: could not make the server key"; }
    printf '%s\n' "basicConstraints=CA:FALSE" \
        "keyUsage=critical,digitalSignature,keyEncipherment" \
        "extendedKeyUsage=serverAuth" \
        "subjectAltName=DNS:localhost,IP:127.0.0.1" >"$d/server.ext"
    openssl x509 -req -days 7 -in "$d/server.csr" -CA "$d/ca.crt" \
        -CAkey "$d/ca.key" -CAcreateserial -extfile "$d/server.ext" \
        -out "$d/server.crt" 2>>"$d/openssl.log" ||
        { cat "$d/openssl.log" >&2; die "openssl: could not sign the server certificate"; }
    chmod 0600 "$d/server.key" "$d/ca.key"
}

start_server() {
    stop_server
    [ -x "$PG_BIN/initdb" ] ||
        die "$PG_BIN/initdb not found: install postgresql-15 (scripts/deps.sh)"
    command -v openssl >/dev/null || die "openssl not found (scripts/deps.sh)"
    mkdir -p "$state"
    : >"$marker"
    # a start that fails part-way leaves nothing behind (its log is printed)
    trap 'stop_server >/dev/null 2>&1 || true' EXIT

    # where the server's files go: STATE_DIR itself when the server account
    # can reach it and the socket path fits in sun_path (107 bytes)
    local sd=$state
    if [ -n "$server_user" ]; then chmod 0755 "$state"; fi
    if [ ${#state} -gt 80 ] || ! reachable "$state"; then
        sd=$(mktemp -d "${TMPDIR:-/tmp}/mbpg.XXXXXX")
        echo "$sd" >"$state/serverdir"
    fi
    mkdir -p "$sd/sock" "$sd/tls"
    make_tls "$sd/tls"

    local password
    password=$(head -c 18 /dev/urandom | base64 | tr -d '/+=\n')
    printf '%s\n' "$password" >"$sd/pwfile"
    chmod 0600 "$sd/pwfile"
    if [ -n "$server_user" ]; then
        chmod 0755 "$state" "$sd"
        chown -R "$server_user": "$sd/sock" "$sd/tls" "$sd/pwfile"
        chown "$server_user": "$sd"
    fi

    as_server "$PG_BIN/initdb" -D "$sd/data" -U mbtest --pwfile="$sd/pwfile" \
        --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --no-locale \
        --no-sync >"$state/initdb.log" 2>&1 ||
        { cat "$state/initdb.log" >&2; die "initdb failed"; }
    rm -f "$sd/pwfile"
    cat >>"$sd/data/postgresql.conf" <<EOF

# pg_server.sh: a throwaway test server
listen_addresses = '127.0.0.1'
unix_socket_directories = '$sd/sock'
max_connections = 100
$(if [ "${MB_PG_DURABLE:-0}" != 1 ]; then
    printf '%s\n' "fsync = off" "synchronous_commit = off" "full_page_writes = off"
fi)
ssl = on
ssl_cert_file = '$sd/tls/server.crt'
ssl_key_file = '$sd/tls/server.key'
log_min_messages = warning
include_if_exists = 'pg_server_port.conf'
EOF

    # the port is picked free, but another process may take it before the
    # server binds: then try another one (bounded)
    local port attempt log=$sd/server.log
    for attempt in 1 2 3 4 5; do
        if [ -n "${MB_PG_WANT_PORT:-}" ]; then
            port=$MB_PG_WANT_PORT
            port_free "$port" || die "port $port (MB_PG_WANT_PORT) is in use"
        else
            port=$(pick_port)
        fi
        echo "port = $port" >"$sd/data/pg_server_port.conf"
        [ -z "$server_user" ] || chown "$server_user": "$sd/data/pg_server_port.conf"
        : >"$log"
        [ -z "$server_user" ] || chown "$server_user": "$log"
        if as_server "$PG_BIN/pg_ctl" -D "$sd/data" -l "$log" -w -t 60 start \
            >"$state/pg_ctl.log" 2>&1; then
            break
        fi
        if grep -q "could not bind\|Address already in use\|could not create any TCP/IP sockets" "$log" &&
           [ "$attempt" -lt 5 ] && [ -z "${MB_PG_WANT_PORT:-}" ]; then
            as_server "$PG_BIN/pg_ctl" -D "$sd/data" -m immediate stop >/dev/null 2>&1 || true
            continue
        fi
        echo "--- pg_ctl:" >&2; cat "$state/pg_ctl.log" >&2
        echo "--- server log ($log):" >&2; cat "$log" >&2
        die "the server did not start"
    done

    local sock_enc=${sd//\//%2F}
    # env: written last, so its presence means the server is up; it holds
    # the password, so only its owner reads it
    (umask 077 && : >"$state/env.tmp")
    cat >"$state/env.tmp" <<EOF
MB_PG_BIN='$PG_BIN'
MB_PG_SOCKET='$sd/sock'
MB_PG_HOST=127.0.0.1
MB_PG_PORT=$port
MB_PG_USER=mbtest
MB_PG_PASSWORD='$password'
MB_PG_ROOTCERT='$sd/tls/ca.crt'
MB_PG_URL_BASE='postgresql://mbtest@${sock_enc}%2Fsock:$port'
MB_PG_TCP_URL_BASE='postgresql://mbtest@127.0.0.1:$port'
EOF
    mv "$state/env.tmp" "$state/env"
    trap - EXIT
    echo "$me: PostgreSQL 15 running on $sd/sock and 127.0.0.1:$port (env: $state/env)"
}

# the server's directory of a running STATE_DIR
server_dir() {
    [ -f "$marker" ] || die "$state was not made by $me"
    if [ -f "$state/serverdir" ]; then cat "$state/serverdir"; else echo "$state"; fi
}

crash_server() {
    local sd
    sd=$(server_dir)
    as_server "$PG_BIN/pg_ctl" -D "$sd/data" -m immediate -w -t 30 stop \
        >"$state/pg_ctl.log" 2>&1 ||
        { cat "$state/pg_ctl.log" >&2; die "the server did not stop"; }
}

restart_server() {
    local sd
    sd=$(server_dir)
    as_server "$PG_BIN/pg_ctl" -D "$sd/data" -l "$sd/server.log" -w -t 60 \
        start >"$state/pg_ctl.log" 2>&1 ||
        { cat "$state/pg_ctl.log" "$sd/server.log" >&2; die "the server did not restart"; }
}

case $cmd in
    start) start_server ;;
    stop) stop_server ;;
    crash) crash_server ;;
    restart) restart_server ;;
    *) usage ;;
esac
