#!/usr/bin/env bash
# Berth's private CA and the certificates made from it, in .berth/tls (or $1). Idempotent: run by setup.sh,
# and again by anything that adds an address this machine is reached at (a test's veth pair, say).
#   ca.key (0600), ca.crt            the CA, 10 years; hosts pin ca.crt (Redis over TLS, the registry)
#   server.key (0600), server.crt    Redis's and the registry's certificate, for every name and address of this
#                                    machine: issued again (same CA) when one of them is missing from it
#   registry-token.key (0600), .crt  EC P-256 key and self-signed certificate that sign the registry's tokens
# Prints "server certificate issued" when it (re)issued server.crt, so callers know to reload what serves it.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-.berth/tls}
mkdir -p "$dir" && chmod 700 "$dir"
umask 077

new_key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; chmod 600 "$1"; }

if [ ! -s "$dir/ca.key" ] || [ ! -s "$dir/ca.crt" ]; then
  new_key "$dir/ca.key"
  openssl req -x509 -new -key "$dir/ca.key" -sha256 -days 3650 -subj "/CN=Berth private CA ($(hostname))" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" -out "$dir/ca.crt"
  rm -f "$dir/server.crt" # signed by a CA that is gone
fi
chmod 644 "$dir/ca.crt"

# Every name and address this machine may be reached at (docker0's too: containers reach the host there), but
# not the bridges of Docker's user-defined networks (br-…) nor veth pairs (containers', tests' namespaces): they
# come and go, would have the certificate issued again (and the registry restarted) all the time, and another
# machine never reaches this one there.
names=(localhost "$(hostname)")
fqdn=$(hostname -f 2>/dev/null || true)
[ -n "$fqdn" ] && names+=("$fqdn")
ips=(127.0.0.1 ::1)
if command -v ip >/dev/null; then
  veths=" $(ip -o link show type veth | awk -F': ' '{ sub(/@.*/, "", $2); printf "%s ", $2 }') "
  while read -r _ dev _ addr _; do
    [[ $dev == br-* || $veths == *" $dev "* ]] || ips+=("${addr%/*}")
  done < <(ip -o addr show scope global)
else
  read -r -a found <<<"$(hostname -I 2>/dev/null || true)"
  ips+=("${found[@]}")
fi
# And the public name hosts use: BERTH_PUBLIC_HOST, or the host of a public address set for Berth.
for public in "${BERTH_PUBLIC_HOST:-}" "${BERTH_PUBLIC_URL:-}" "${NEXTAUTH_URL:-}" "${BERTH_PUBLIC_REDIS_URL:-}" "${BERTH_PUBLIC_REGISTRY:-}"; do
  [[ $public =~ ^([a-z]+://)?([^@/]*@)?(\[[^]/]+\]|[^:/]+) ]] || continue
  h=${BASH_REMATCH[3]}
  h=${h#[}
  h=${h%]}
  if [[ $h =~ ^[0-9.]+$ || $h == *:* ]]; then ips+=("$h"); else names+=("$h"); fi
done

covers_all() { # the certificate is ours, current for 30 more days, and names every name and address above
  local crt=$dir/server.crt
  [ -s "$crt" ] && [ -s "$dir/server.key" ] || return 1
  openssl verify -CAfile "$dir/ca.crt" "$crt" >/dev/null 2>&1 || return 1
  openssl x509 -in "$crt" -noout -checkend 2592000 >/dev/null || return 1
  local args=() n
  for n in "${names[@]}"; do args+=(-checkhost "$n"); done
  for n in "${ips[@]}"; do args+=(-checkip "$n"); done
  ! openssl x509 -in "$crt" -noout "${args[@]}" | grep -q "does NOT match"
}

if ! covers_all; then
  san=()
  for n in "${names[@]}"; do san+=("DNS:$n"); done
  for n in "${ips[@]}"; do san+=("IP:$n"); done
  san_list=$(printf '%s\n' "${san[@]}" | sort -u | paste -sd, -)
  ext=$(mktemp)
  trap 'rm -f "$ext"' EXIT
  printf '%s\n' "basicConstraints=CA:FALSE" "keyUsage=critical,digitalSignature,keyEncipherment" "extendedKeyUsage=serverAuth" \
    "subjectAltName=$san_list" >"$ext"
  [ -s "$dir/server.key" ] || new_key "$dir/server.key"
  openssl req -new -key "$dir/server.key" -subj "/CN=$(hostname)" -out "$dir/server.csr"
  openssl x509 -req -in "$dir/server.csr" -CA "$dir/ca.crt" -CAkey "$dir/ca.key" -CAcreateserial -sha256 -days 825 \
    -extfile "$ext" -out "$dir/server.crt.new" 2>/dev/null
  mv "$dir/server.crt.new" "$dir/server.crt"
  rm -f "$dir/server.csr"
  chmod 644 "$dir/server.crt"
  echo "server certificate issued for $san_list"
fi

if [ ! -s "$dir/registry-token.key" ] || [ ! -s "$dir/registry-token.crt" ]; then
  new_key "$dir/registry-token.key"
  openssl req -x509 -new -key "$dir/registry-token.key" -sha256 -days 3650 -subj "/CN=Berth registry tokens" -out "$dir/registry-token.crt"
  chmod 644 "$dir/registry-token.crt"
fi
