// The script behind `curl -fsSL <berth>/api/agent/install/<token> | sh`: plain POSIX sh (dash, busybox ash),
// run by a person on a machine that has only Docker. It loads Berth's agent image (checked against the sha256
// written into it), starts the agent with the one-time token, and tells whether it came up. Every value put
// into it is checked against a strict pattern first and single-quoted, so nothing in it can become shell syntax.

export const AGENT_CONTAINER = "berth-agent";
export const AGENT_VOLUME = "berth-agent";

/** A one-time enrollment token: 32 random bytes in base64url, starting with a letter or digit. */
export const ENROLL_TOKEN = /^[A-Za-z0-9][A-Za-z0-9_-]{42}$/;
const URL_SAFE = /^https?:\/\/[A-Za-z0-9.[\]:-]+(?:\/[A-Za-z0-9._~/-]*)?$/;
const IMAGE_TAG = /^[a-z0-9][a-z0-9._/-]{0,127}:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const SHA256 = /^[0-9a-f]{64}$/;

export type InstallScriptInput = { berthUrl: string; token: string; tag: string; sha256: string };

function checked(name: string, value: string, pattern: RegExp): string {
  if (!pattern.test(value)) throw new Error(`${name} cannot go into an install script: ${JSON.stringify(value).slice(0, 80)}`);
  return value;
}

/** `value` as one single-quoted sh word. */
export function shQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

/** The docker run arguments the agent's container gets (the socket path is the script's `$socket`). */
export function agentRunArgs(): string[] {
  return [
    "-d",
    "--name",
    AGENT_CONTAINER,
    "--restart",
    "unless-stopped",
    "--network",
    "host",
    "-v",
    '"$socket:/var/run/docker.sock"',
    "-v",
    `${AGENT_VOLUME}:/var/lib/berth-agent`,
    "-v",
    "/etc/docker/certs.d:/etc/docker/certs.d",
    "-e",
    '"BERTH_URL=$BERTH_URL"',
    "-e",
    '"BERTH_ENROLL_TOKEN=$TOKEN"',
    '"$IMAGE_TAG"',
  ];
}

export function installScript(input: InstallScriptInput): string {
  const berthUrl = checked("Berth's public URL", input.berthUrl.replace(/\/$/, ""), URL_SAFE);
  const token = checked("The token", input.token, ENROLL_TOKEN);
  const tag = checked("The agent image tag", input.tag, IMAGE_TAG);
  const sha = checked("The agent image checksum", input.sha256, SHA256);
  return `#!/bin/sh
# Installs Berth's host agent on this machine (it needs only Docker), from ${berthUrl}.
set -eu

BERTH_URL=${shQuote(berthUrl)}
TOKEN=${shQuote(token)}
IMAGE_TAG=${shQuote(tag)}
IMAGE_SHA256=${shQuote(sha)}

say() { printf 'berth: %s\\n' "$*"; }
fail() { printf 'berth: %s\\n' "$*" >&2; exit 1; }

command -v docker >/dev/null 2>&1 || fail "Docker is not installed here. Install Docker Engine first (https://docs.docker.com/engine/install/), then run this command again."
docker info >/dev/null 2>&1 || fail "Docker does not answer (docker info failed). Start it, or run this command as a user allowed to use Docker (root, or with sudo)."

socket=/var/run/docker.sock
case "\${DOCKER_HOST:-}" in
  '') ;;
  unix://*) socket=\${DOCKER_HOST#unix://} ;;
  *) fail "DOCKER_HOST is \${DOCKER_HOST}: the agent needs this machine's Docker socket (unix://...)." ;;
esac
[ -S "$socket" ] || fail "There is no Docker socket at $socket."

if command -v curl >/dev/null 2>&1; then
  download() { curl -fsSL -o "$2" "$1"; }
elif command -v wget >/dev/null 2>&1; then
  download() { wget -q -O "$2" "$1"; }
else
  fail "Neither curl nor wget is installed; install one of them."
fi
if command -v sha256sum >/dev/null 2>&1; then
  checksum() { sha256sum "$1" | cut -d ' ' -f 1; }
elif command -v shasum >/dev/null 2>&1; then
  checksum() { shasum -a 256 "$1" | cut -d ' ' -f 1; }
else
  fail "sha256sum is missing (coreutils or busybox provides it)."
fi

tmp=$(mktemp 2>/dev/null || echo "/tmp/berth-agent.$$.tar.gz")
trap 'rm -f "$tmp"' EXIT INT TERM
say "Downloading the agent image ($IMAGE_TAG) from $BERTH_URL ..."
download "$BERTH_URL/api/agent/image?token=$TOKEN" "$tmp" || fail "Could not download the agent image from $BERTH_URL (is it reachable from this machine? Has this command expired?)."
[ "$(checksum "$tmp")" = "$IMAGE_SHA256" ] || fail "The downloaded image does not match its checksum; nothing was installed. Try again."
docker load -i "$tmp" >/dev/null || fail "docker load refused the agent image."
rm -f "$tmp"

# A fresh install: an earlier agent on this machine goes, with the credentials it kept.
if docker container inspect ${AGENT_CONTAINER} >/dev/null 2>&1; then
  say "Replacing the agent already on this machine ..."
  docker rm -f ${AGENT_CONTAINER} >/dev/null
fi
docker volume rm ${AGENT_VOLUME} >/dev/null 2>&1 || true

docker run ${agentRunArgs().join(" ")} >/dev/null || fail "docker run failed to start the agent."

say "Agent started; waiting for it to enroll with Berth ..."
i=0
while [ "$i" -lt 20 ]; do
  state=$(docker inspect -f '{{.State.Status}} {{.RestartCount}}' ${AGENT_CONTAINER} 2>/dev/null || echo 'missing 0')
  case "$state" in
    'running 0')
      if docker exec ${AGENT_CONTAINER} node -e 'require("fs").accessSync("/var/lib/berth-agent/credentials.json")' >/dev/null 2>&1; then
        docker logs ${AGENT_CONTAINER} 2>&1 | head -n 10
        say "Done. Berth now shows this host online: $BERTH_URL"
        exit 0
      fi ;;
    *)
      docker logs ${AGENT_CONTAINER} 2>&1 | tail -n 20 >&2
      fail "The agent stopped ($state). Its log is above." ;;
  esac
  i=$((i + 1))
  sleep 1
done
docker logs ${AGENT_CONTAINER} 2>&1 | tail -n 20 >&2
fail "The agent did not enroll within 20 seconds. Its log is above; it keeps trying (docker logs -f ${AGENT_CONTAINER})."
`;
}

/** What `| sh` runs when Berth cannot hand out an install script: the reason on stderr, and a failure. */
export function refusalScript(message: string): string {
  const line = message.replace(/[\r\n]+/g, " ").slice(0, 500);
  return `#!/bin/sh\nprintf 'berth: %s\\n' ${shQuote(line)} >&2\nexit 1\n`;
}
