// The outbound address policy for requests users steer (git clones, image pulls): a host name is allowed only
// when every address it resolves to is public, or private where an admin allowed private networks for the
// Docker host (`Host.allowPrivateNetworks`). Link-local, metadata and other forbidden ranges never pass.
// Names are resolved with getaddrinfo (dns.lookup), as git, curl and ssh resolve them, /etc/hosts included.
// The API checks with the web process's DNS for an early field error; the agent checks again with its own
// right before the clone or pull and pins what it checked (lib/net/pin.ts), so a rebinding answer cannot
// switch the address between the check and the connection.
import { lookup as dnsLookup } from "node:dns/promises";
import { ValidationError } from "@/lib/errors";
import { canonicalIP, classifyIP, formatIPv4, parseLooseIPv4, type AddressClass } from "./address";

export type OutboundPolicy = { allowPrivateNetworks: boolean };
/** Every address a name resolves to. */
export type Lookup = (host: string) => Promise<string[]>;
export type OutboundCheck =
  | { ok: true; host: string; addresses: string[] }
  /** `unresolved`: the name has no address here (the API leaves that to the agent, whose DNS is the truth). */
  | { ok: false; reason: "refused" | "unresolved"; error: string };

const LOOKUP_TIMEOUT_MS = 5_000;
/** Where the refusal says what to do about it. */
const ALLOW_HINT = "an admin can allow private networks in the host's settings";

export const systemLookup: Lookup = async (host) => (await dnsLookup(host, { all: true, verbatim: true })).map((a) => a.address);

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error("DNS lookup timed out"), { code: "ETIMEOUT" })), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/** Why an address may not be reached under `policy`, or null when it may. */
export function refusal(address: string, cls: AddressClass, policy: OutboundPolicy, host: string): string | null {
  const named = host === address ? `${address} is` : `${host} resolves to ${address},`;
  if (cls.verdict === "forbidden") return `${named} ${cls.range}, which Berth never connects to`;
  if (cls.verdict === "private" && !policy.allowPrivateNetworks) return `${named} ${cls.range}: this host does not reach private networks (${ALLOW_HINT})`;
  return null;
}

/**
 * Checks that `host` (a name or an IPv4 address, as a URL names it) may be reached under `policy`. Every
 * address it resolves to must pass; the checked addresses come back for pinning.
 */
export async function checkOutboundHost(rawHost: string, policy: OutboundPolicy, opts: { lookup?: Lookup; timeoutMs?: number } = {}): Promise<OutboundCheck> {
  const host = rawHost.toLowerCase();
  const refused = (error: string): OutboundCheck => ({ ok: false, reason: "refused", error });
  const literal = parseLooseIPv4(host);
  if (literal && "invalid" in literal) return refused(`${host} is not a valid IPv4 address`);
  if (literal) {
    // 2130706433, 0x7f.1 or 127.1 name 127.0.0.1 for git and curl; one spelling avoids any doubt.
    const address = formatIPv4(literal.address);
    if (!literal.canonical) return refused(`write the address ${host} as ${address}`);
    const why = refusal(address, classifyIP(address)!, policy, address);
    return why ? refused(why) : { ok: true, host, addresses: [address] };
  }
  if (canonicalIP(host)) {
    const why = refusal(host, classifyIP(host)!, policy, host);
    return why ? refused(why) : { ok: true, host, addresses: [canonicalIP(host)!] };
  }
  // RFC 6761: localhost and its subdomains are the loopback, whatever a resolver says (curl agrees).
  if (host === "localhost" || host.endsWith(".localhost")) {
    if (!policy.allowPrivateNetworks) return refused(`${host} is a loopback name: this host does not reach private networks (${ALLOW_HINT})`);
    return { ok: true, host, addresses: ["127.0.0.1"] };
  }
  let addresses: string[];
  try {
    addresses = await withTimeout((opts.lookup ?? systemLookup)(host), opts.timeoutMs ?? LOOKUP_TIMEOUT_MS);
  } catch (e) {
    const code = (e as { code?: string }).code ?? "";
    return { ok: false, reason: "unresolved", error: `${host} does not resolve${code ? ` (${code})` : ""}` };
  }
  if (!addresses.length) return { ok: false, reason: "unresolved", error: `${host} does not resolve` };
  const checked: string[] = [];
  for (const raw of addresses) {
    const address = canonicalIP(raw);
    if (!address) return refused(`${host} resolves to ${raw}, which is not an IP address`);
    const why = refusal(address, classifyIP(address)!, policy, host);
    if (why) return refused(why);
    if (!checked.includes(address)) checked.push(address);
  }
  return { ok: true, host, addresses: checked };
}

/**
 * For the API: throws a ValidationError for `field` when `host` may not be reached under `policy`. A name
 * that does not resolve from the web process is left to the agent, whose DNS decides (and may differ).
 */
export async function assertOutboundAllowed(field: string, prefix: string, host: string, policy: OutboundPolicy, opts: { lookup?: Lookup } = {}) {
  const check = await checkOutboundHost(host, policy, opts);
  if (!check.ok && check.reason === "refused") {
    const message = `${prefix}: ${check.error}`;
    throw new ValidationError(message, { [field]: [message] });
  }
}
