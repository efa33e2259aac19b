// The SSH host keys a git server offers now, asked with ssh-keyscan at the address the outbound check
// approved (the same pin the clone used) and filed under the URL's host name, as ssh files them with
// HostKeyAlias. Used when a clone met another key than the pinned one: the keys go to the console as an
// offer that an admin may accept after comparing fingerprints.
import { fileUnder, formatKnownHosts, parseKnownHosts } from "@/lib/git/known-hosts";
import { canonicalIP } from "@/lib/net/address";
import { runProcess } from "./run-process";

const TIMEOUT_SEC = 10;

export async function scanHostKeys(o: { address: string; port: number; alias: string; signal?: AbortSignal }): Promise<string | null> {
  if (canonicalIP(o.address) !== o.address) throw new Error(`not a checked address: ${JSON.stringify(o.address)}`);
  if (!Number.isInteger(o.port) || o.port < 1 || o.port > 65535) throw new Error(`not a port: ${o.port}`);
  const r = await runProcess("ssh-keyscan", ["-T", String(TIMEOUT_SEC), "-p", String(o.port), "--", o.address], {
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin" },
    signal: o.signal,
  });
  const keys = parseKnownHosts(r.stdout);
  if (!keys.ok || keys.keys.length === 0) return null;
  return formatKnownHosts(fileUnder(keys.keys, o.alias));
}
