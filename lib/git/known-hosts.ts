// SSH host keys of a service's git server, kept as known_hosts lines (`<host> <type> <base64>`): pinned after
// the first successful clone (Service.gitHostKeys), offered when the server shows another key
// (Service.gitHostKeyOffer). The agent writes them into the known_hosts file ssh checks; the console shows
// their fingerprints as `ssh-keygen -lf` prints them. Only plain lines are accepted: no markers
// (@cert-authority, @revoked), no hashed or wildcard host names, no options.
import { publicKeyFingerprint } from "./deploy-key";

export type KnownHost = { host: string; type: string; key: string; fingerprint: string };
export type KnownHostsResult = { ok: true; keys: KnownHost[] } | { ok: false; error: string };

const MAX_LINES = 16;
const MAX_TEXT = 16 * 1024;
const KEY_TYPES = new Set([
  "ssh-ed25519",
  "ssh-rsa",
  "ecdsa-sha2-nistp256",
  "ecdsa-sha2-nistp384",
  "ecdsa-sha2-nistp521",
  "sk-ssh-ed25519@openssh.com",
  "sk-ecdsa-sha2-nistp256@openssh.com",
]);
/** The name ssh files a key under: our HostKeyAlias (the URL's host), or `[host]:port` without one. */
const HOST = /^(?:[a-z0-9](?:[a-z0-9.-]{0,251}[a-z0-9])?|\[[a-z0-9](?:[a-z0-9.-]{0,251}[a-z0-9])?\]:\d{1,5})$/;

/** Parses known_hosts text; blank lines and # comments are skipped, anything else must be a plain key line. */
export function parseKnownHosts(text: string): KnownHostsResult {
  if (typeof text !== "string") return { ok: false, error: "expected text" };
  if (text.length > MAX_TEXT) return { ok: false, error: `longer than ${MAX_TEXT} characters` };
  const keys: KnownHost[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    const parts = line.split(/\s+/);
    if (parts.length !== 3) return { ok: false, error: "each line must be `<host> <key type> <base64 key>`" };
    const [host, type, key] = parts as [string, string, string];
    if (!HOST.test(host)) return { ok: false, error: `"${host.slice(0, 80)}" is not a plain host name` };
    if (!KEY_TYPES.has(type)) return { ok: false, error: `"${type.slice(0, 80)}" is not an SSH host key type` };
    let fingerprint: string;
    try {
      fingerprint = publicKeyFingerprint(`${type} ${key}`);
    } catch (e) {
      return { ok: false, error: (e as Error).message };
    }
    if (!keys.some((k) => k.host === host && k.type === type && k.key === key)) keys.push({ host, type, key, fingerprint });
    if (keys.length > MAX_LINES) return { ok: false, error: `more than ${MAX_LINES} keys` };
  }
  return { ok: true, keys };
}

/** known_hosts text for these keys, one line each, ending in a newline (empty for none). */
export function formatKnownHosts(keys: Pick<KnownHost, "host" | "type" | "key">[]): string {
  return keys.map((k) => `${k.host} ${k.type} ${k.key}\n`).join("");
}

/** The same keys filed under another name (ssh-keyscan names the address it asked, ssh files under the alias). */
export function fileUnder(keys: KnownHost[], host: string): KnownHost[] {
  if (!HOST.test(host)) throw new Error(`not a host name: ${JSON.stringify(host)}`);
  return keys.map((k) => ({ ...k, host }));
}

/** Fingerprints of stored known_hosts text for display; invalid text shows as nothing pinned. */
export function hostKeyFingerprints(text: string | null): { host: string; type: string; fingerprint: string }[] {
  if (!text) return [];
  const r = parseKnownHosts(text);
  return r.ok ? r.keys.map(({ host, type, fingerprint }) => ({ host, type, fingerprint })) : [];
}
