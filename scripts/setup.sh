#!/usr/bin/env bash
# Prepares this machine for Berth: installs missing Debian packages, starts stopped services, writes the
# generated secrets once, installs npm dependencies. Safe and quick to run again.
#   scripts/setup.sh          what `npm start` needs
#   scripts/setup.sh --test   plus what `npm test` needs (Chromium for browser tests, the test database)
# DATABASE_URL, REDIS_URL, DOCKER_HOST, BERTH_CADDY_ADMIN and BERTH_PUBLIC_REGISTRY, when set, point Berth at
# services the user runs: those are neither installed nor started here.
set -euo pipefail
cd "$(dirname "$0")/.."

mode=start
[ "${1:-}" = "--test" ] && mode=test

say() { printf '\033[1mberth setup:\033[0m %s\n' "$*"; }
die() { printf '\033[1;31mberth setup:\033[0m %s\n' "$*" >&2; exit 1; }

is_root() { [ "$(id -u)" = 0 ]; }
is_debian() { grep -qiE '^(ID|ID_LIKE)=.*(debian|ubuntu)' /etc/os-release 2>/dev/null; }

# --- Debian packages ---------------------------------------------------------------------------------
need_pkgs=()
want() { # want <command> <package>
  command -v "$1" >/dev/null 2>&1 || [ -x "/usr/sbin/$1" ] || need_pkgs+=("$2")
}
want git git
want openssl openssl
[ -n "${DATABASE_URL:-}" ] || { want pg_ctlcluster postgresql-common; [ -d /usr/lib/postgresql ] || need_pkgs+=(postgresql); }
[ -n "${REDIS_URL:-}" ] && [ "${BERTH_LOCAL_REDIS:-}" != 1 ] || want redis-server redis-server
[ -n "${DOCKER_HOST:-}" ] || want dockerd docker.io
[ -n "${BERTH_CADDY_ADMIN:-}" ] || want caddy caddy # the reverse proxy in front of services
[ -n "${BERTH_PUBLIC_REGISTRY:-}" ] || want docker-registry docker-registry # where hosts push and pull releases
if [ "$mode" = test ]; then
  want chromium chromium
  want busybox busybox-static
  want docker-registry docker-registry # the tests' own registries, too
  want sshd openssh-server # a real git-over-ssh server for the deploy key and host key tests
fi

if [ ${#need_pkgs[@]} -gt 0 ]; then
  pkgs=$(printf '%s\n' "${need_pkgs[@]}" | sort -u | tr '\n' ' ')
  if ! is_root || ! is_debian; then
    die "missing: ${pkgs}. Run as root on Debian/Ubuntu so setup can install them (apt-get install -y ${pkgs}),
install them yourself, or point Berth at your own services with DATABASE_URL, REDIS_URL and DOCKER_HOST."
  fi
  say "installing ${pkgs}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # shellcheck disable=SC2086
  apt-get install -y -qq --no-install-recommends $pkgs >/tmp/berth-apt.log 2>&1 \
    || { tail -20 /tmp/berth-apt.log >&2; die "apt-get install failed (full log: /tmp/berth-apt.log)"; }
fi

# --- Generated secrets: created once, mode 0600, ignored by git --------------------------------------
secrets=.berth/secrets.env
mkdir -p .berth && chmod 700 .berth
touch "$secrets" && chmod 600 "$secrets"
ensure_secret() { # ensure_secret <NAME> <bytes>
  grep -q "^$1=" "$secrets" || echo "$1=$(openssl rand -hex "$2")" >>"$secrets"
}
ensure_secret NEXTAUTH_SECRET 32
ensure_secret BERTH_MASTER_KEY 32   # encrypts stored secrets; never the session secret
ensure_secret BERTH_DB_PASSWORD 24
ensure_secret BERTH_REDIS_PASSWORD 24 # the control plane's Redis login; hosts get users of their own
ensure_secret BERTH_FINGERPRINT_KEY 32 # keys the fingerprints that tell a changed value from an unchanged one
# A value set in the environment overrides the file, for setup as for Berth itself (scripts/load-env.mjs).
db_password=${BERTH_DB_PASSWORD:-$(grep '^BERTH_DB_PASSWORD=' "$secrets" | cut -d= -f2)}
redis_password=${BERTH_REDIS_PASSWORD:-$(grep '^BERTH_REDIS_PASSWORD=' "$secrets" | cut -d= -f2)}

# --- PostgreSQL ---------------------------------------------------------------------------------------
if [ -z "${DATABASE_URL:-}" ]; then
  is_root || die "a local PostgreSQL needs root to start; or set DATABASE_URL to a database you run."
  read -r pg_ver pg_cluster pg_port pg_status _ < <(pg_lsclusters -h | head -1) \
    || die "no PostgreSQL cluster found; create one with: pg_createcluster 15 main"
  if [ "$pg_status" != online ]; then
    say "starting PostgreSQL $pg_ver/$pg_cluster on port $pg_port"
    pg_ctlcluster --skip-systemctl-redirect "$pg_ver" "$pg_cluster" start
  fi
  [ "$pg_port" = 5432 ] || die "PostgreSQL $pg_ver/$pg_cluster listens on $pg_port; Berth expects 5432 or a DATABASE_URL."
  psql_admin() { runuser -u postgres -- psql -qtAX -v ON_ERROR_STOP=1 "$@"; }
  if [ "$(psql_admin -c "SELECT 1 FROM pg_roles WHERE rolname='berth'")" != 1 ]; then
    psql_admin -c "CREATE ROLE berth LOGIN CREATEDB PASSWORD '${db_password}'"
  else
    psql_admin -c "ALTER ROLE berth LOGIN CREATEDB PASSWORD '${db_password}'"
  fi
  dbs=(berth)
  [ "$mode" = test ] && dbs+=(berth_test)
  for db in "${dbs[@]}"; do
    [ "$(psql_admin -c "SELECT 1 FROM pg_database WHERE datname='${db}'")" = 1 ] \
      || psql_admin -c "CREATE DATABASE ${db} OWNER berth"
  done
fi

# --- Docker Engine ------------------------------------------------------------------------------------
if [ -z "${DOCKER_HOST:-}" ]; then
  if ! docker info >/dev/null 2>&1; then
    is_root || die "Docker Engine is not running and starting it needs root; or set DOCKER_HOST."
    say "starting Docker Engine"
    # Berth makes a network per environment on a host; Docker's default pools hold about 30 networks in all, so
    # the engine Berth starts gets room for 256 (BERTH_DOCKER_POOL; pick a range your own network does not use).
    setsid dockerd --host unix:///var/run/docker.sock --default-address-pool "base=${BERTH_DOCKER_POOL:-10.210.0.0/16},size=24" \
      >/var/log/dockerd.log 2>&1 < /dev/null &
    for _ in $(seq 100); do docker info >/dev/null 2>&1 && break; sleep 0.2; done
    docker info >/dev/null 2>&1 || die "Docker Engine did not start (log: /var/log/dockerd.log)"
  fi
fi

# --- TLS: Berth's private CA and the certificates Redis and the registry serve (scripts/tls.sh) ------------
# After Docker: the certificate names every address of this machine, docker0's included. One setup at a time
# from here to the registry (two test runs starting at once would each make a CA, or start a registry).
exec 8>.berth/services.lock
flock 8
bash scripts/tls.sh
tls=.berth/tls

# --- Redis, over TLS only --------------------------------------------------------------------------------
# Hosts on other machines reach it, so it listens on every address, with TLS (Redis 7.0 has one `bind` for
# its plain and TLS ports, so a plain port could not stay on loopback: there is none). Berth's own processes
# connect to rediss://…@127.0.0.1:<port> and trust the CA through NODE_EXTRA_CA_CERTS (scripts/load-env.mjs).
# The default user gets a password: without one, any client (a host agent included) could skip its ACL.
# (BERTH_LOCAL_REDIS marks a REDIS_URL that Berth derived itself for this local Redis.)
if [ -z "${REDIS_URL:-}" ] || [ "${BERTH_LOCAL_REDIS:-}" = 1 ]; then
  redis_port=${BERTH_REDIS_TLS_PORT:-6380}
  rcli() { REDISCLI_AUTH="$redis_password" redis-cli --tls --cacert "$tls/ca.crt" -h 127.0.0.1 -p "$redis_port" "$@" 2>&1; }
  ours() { [ "$(rcli ping)" = PONG ]; } # redis-cli prints PONG after a failed AUTH too: compare exactly
  # An older setup ran it in plain text on 127.0.0.1:6379: SHUTDOWN writes its append-only file, which the TLS
  # one below (same directory) loads again.
  if [ "$(REDISCLI_AUTH="$redis_password" redis-cli -h 127.0.0.1 -p 6379 ping 2>&1)" = PONG ]; then
    say "moving Redis to TLS on port $redis_port (stopping the plain-text one on 127.0.0.1:6379; its data is kept)"
    REDISCLI_AUTH="$redis_password" redis-cli -h 127.0.0.1 -p 6379 shutdown >/dev/null 2>&1 || true
    for _ in $(seq 100); do redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 || break; sleep 0.1; done
  fi
  if ! redis-cli --tls --cacert "$tls/ca.crt" -h 127.0.0.1 -p "$redis_port" ping >/dev/null 2>&1; then
    say "starting Redis with TLS on port $redis_port"
    # An append-only file, written every second: a restarted Redis keeps queued jobs, unread host reports,
    # deploy logs and sealed specs (a killed Redis loses nothing it answered: the kernel has it; only a crash
    # of the machine can lose the last second). Host logins are not in it; the control worker re-creates them.
    mkdir -p .berth/redis
    redis_args=(
      --daemonize yes --port 0 --tls-port "$redis_port" --bind '*' '-::*'
      --tls-cert-file "$PWD/$tls/server.crt" --tls-key-file "$PWD/$tls/server.key" --tls-ca-cert-file "$PWD/$tls/ca.crt"
      --tls-auth-clients no --save "" --appendonly yes --appendfsync everysec
      --dir "$PWD/.berth/redis" --requirepass "$redis_password" --logfile /var/log/berth-redis.log
    )
    redis-server "${redis_args[@]}" 8>&- # the daemon must not hold the setup lock
    for _ in $(seq 50); do ours && break; sleep 0.1; done
  fi
  if ! ours; then
    # Running, but with another password or none: align the default user with ours.
    redis-cli --tls --cacert "$tls/ca.crt" -h 127.0.0.1 -p "$redis_port" config set requirepass "$redis_password" >/dev/null 2>&1 || true
  fi
  ours || die "Redis on 127.0.0.1:$redis_port does not accept Berth's password over TLS; stop it or set REDIS_URL."
  # Load the certificate again (it may have been issued again for a new address); open connections stay.
  rcli config set tls-cert-file "$PWD/$tls/server.crt" tls-key-file "$PWD/$tls/server.key" tls-ca-cert-file "$PWD/$tls/ca.crt" >/dev/null
  # The append-only file is compacted (a forked copy writes the whole data set out: a core for a second or two)
  # once it has grown past the last compaction and 512 MB. Redis's default of 64 MB meant every 20 s at 1,000
  # hosts, whose reports add 2-3 MB a second, and the machine slowed each time.
  rcli config set auto-aof-rewrite-min-size 512mb >/dev/null
fi

# --- The built-in image registry (Debian's docker-registry, Distribution 2.8) ----------------------------------
# Hosts push each release after it goes live and pull releases built elsewhere (promote, rollback, moves). TLS
# with the server certificate; Distribution's token auth with Berth as the token server (/api/registry/token:
# a host pulls its team's releases and pushes only its own). Its configuration comes from
# scripts/registry-config.mjs; it is restarted when that or a certificate it read at start changed.
# BERTH_PUBLIC_REGISTRY names a registry the user runs instead: then none is started here.
if [ -z "${BERTH_PUBLIC_REGISTRY:-}" ]; then
  registry_port=${BERTH_REGISTRY_PORT:-5000}
  registry_conf=$PWD/.berth/registry.yml
  mkdir -p .berth/registry-data
  node scripts/registry-config.mjs "$registry_conf" >/dev/null
  registry_sum=$(cat "$registry_conf" "$tls/server.crt" "$tls/server.key" "$tls/registry-token.crt" | sha256sum | cut -d' ' -f1)
  registry_pid() { # the registry an earlier setup started, if it still runs (never another process with a reused pid)
    local pid
    pid=$(cat .berth/registry.pid 2>/dev/null) && [ -n "$pid" ] || return 1
    [ "$({ tr '\0' ' ' <"/proc/$pid/cmdline"; } 2>/dev/null)" = "docker-registry serve $registry_conf " ] && echo "$pid"
  }
  registry_up() { timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$registry_port" 2>/dev/null; }
  if pid=$(registry_pid) && [ "$(cat .berth/registry.stamp 2>/dev/null)" != "$registry_sum" ]; then
    say "restarting the image registry (its configuration or certificate changed)"
    kill "$pid"
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  fi
  if ! registry_pid >/dev/null; then
    say "starting the image registry on port $registry_port"
    setsid docker-registry serve "$registry_conf" >>/var/log/berth-registry.log 2>&1 </dev/null 8>&- &
    echo $! >.berth/registry.pid
    echo "$registry_sum" >.berth/registry.stamp
    for _ in $(seq 50); do registry_up && break; sleep 0.1; done
    registry_pid >/dev/null && registry_up \
      || die "the image registry did not start on port $registry_port (log: /var/log/berth-registry.log); free the port, set BERTH_REGISTRY_PORT, or BERTH_PUBLIC_REGISTRY to a registry you run"
  fi
fi

flock -u 8

# --- Caddy (the reverse proxy the host agent drives through its JSON admin API) ----------------------
# Configured only through the admin API, never a Caddyfile: the agent adds and swaps routes at run time.
# `--resume` reloads the config Caddy autosaved last time, so routes survive a restart; the file below
# only seeds the very first start. Debian's package tries to start a systemd unit on install; without
# systemd that fails harmlessly, and that unit's Caddyfile would not be ours anyway.
# The check speaks HTTP over bash's /dev/tcp because curl is not necessarily installed.
caddy_admin_up() {
  timeout 2 bash -c 'exec 3<>/dev/tcp/127.0.0.1/2019 \
    && printf "GET /config/ HTTP/1.0\r\nHost: 127.0.0.1:2019\r\n\r\n" >&3 \
    && head -1 <&3 | grep -q " 200 "' 2>/dev/null
}
if [ -z "${BERTH_CADDY_ADMIN:-}" ]; then
  # Every config change (each route switch) makes Caddy bind its ports anew (SO_REUSEPORT) and close the old
  # sockets; Linux resets the connections still queued on a closing socket unless tcp_migrate_req hands them
  # to the new one (Linux >= 5.14). Measured: a few resets per 20 switches without it, none with it.
  if [ "$(cat /proc/sys/net/ipv4/tcp_migrate_req 2>/dev/null)" = 0 ]; then
    sysctl -qw net.ipv4.tcp_migrate_req=1 2>/dev/null \
      || say "could not set net.ipv4.tcp_migrate_req=1 (needs root): switching a route may reset a few connections"
  fi
  if ! caddy_admin_up; then
    is_root || die "Caddy is not running and starting it needs root (it listens on port 80); or set BERTH_CADDY_ADMIN."
    say "starting Caddy (admin API on 127.0.0.1:2019)"
    echo '{"admin":{"listen":"127.0.0.1:2019"}}' >.berth/caddy.json
    setsid caddy run --resume --config .berth/caddy.json >/var/log/berth-caddy.log 2>&1 </dev/null &
    for _ in $(seq 50); do caddy_admin_up && break; sleep 0.2; done
    caddy_admin_up || die "Caddy did not start (log: /var/log/berth-caddy.log)"
  fi
fi

# --- npm dependencies: reinstalled only when the lock file changed -----------------------------------
# One install at a time: two setups running at once (two test runs) would each wipe node_modules under the other.
stamp=node_modules/.berth-lock.sha256
lock_sum=$(sha256sum package-lock.json | cut -d' ' -f1)
exec 9>.berth/npm-install.lock
flock 9
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$lock_sum" ]; then
  say "installing npm dependencies"
  npm ci --no-audit --no-fund --loglevel=error
  echo "$lock_sum" >"$stamp"
fi
flock -u 9
