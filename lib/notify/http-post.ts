// One POST to a user-steered URL: the host checked against the outbound address policy right before
// connecting (lib/net/outbound.ts) and the connection pinned to the addresses that check approved (the
// `lookup` the socket uses answers only those), so a second DNS answer cannot switch it to a refused one.
// No redirects are followed, the whole answer must come within the timeout, and at most 64 KB of it is read.
import http from "node:http";
import https from "node:https";
import { isIP, type LookupFunction } from "node:net";
import { checkOutboundHost, type Lookup, type OutboundPolicy } from "@/lib/net/outbound";

export type PostOutcome =
  /** The receiver answered: its status and the start of its body. */
  | { kind: "answered"; status: number; body: string; location: string | null }
  /** Not sent: the address policy refuses the target (or the URL is not one Berth posts to). */
  | { kind: "refused"; error: string }
  /** Sent, or tried to be, without an answer: DNS, connection, TLS, timeout. */
  | { kind: "failed"; error: string };

export const MAX_ANSWER_BYTES = 64 * 1024;

/** The outbound rules name a Docker host's setting; a channel has its own. */
const forChannel = (error: string) => error.replace("this host does not", "this channel does not").replace("in the host's settings", "for this channel");

/** A `lookup` that answers only the checked addresses, whatever name is asked. */
function pinnedLookup(addresses: string[]): LookupFunction {
  const entries = addresses.map((address) => ({ address, family: isIP(address) }));
  return ((_host: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) => {
    if (options?.all) callback(null, entries);
    else callback(null, entries[0]!.address, entries[0]!.family);
  }) as unknown as LookupFunction;
}

export async function postJson(
  rawUrl: string,
  body: string,
  headers: Record<string, string>,
  policy: OutboundPolicy,
  opts: { timeoutMs: number; lookup?: Lookup },
): Promise<PostOutcome> {
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    return { kind: "refused", error: "the channel's URL is not a valid URL" };
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return { kind: "refused", error: `Berth posts only to http and https URLs, not ${url.protocol}` };
  const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
  const check = await checkOutboundHost(host, policy, { lookup: opts.lookup });
  if (!check.ok)
    return check.reason === "refused" ? { kind: "refused", error: `Refused address: ${forChannel(check.error)}` } : { kind: "failed", error: check.error };

  const client = url.protocol === "https:" ? https : http;
  return new Promise<PostOutcome>((resolve) => {
    let settled = false;
    const done = (o: PostOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      resolve(o);
    };
    const req = client.request({
      protocol: url.protocol,
      hostname: host,
      port: url.port || undefined,
      path: `${url.pathname}${url.search}`,
      method: "POST",
      agent: false,
      lookup: pinnedLookup(check.addresses),
      ...(url.username ? { auth: `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}` } : {}),
      headers: { ...headers, "content-type": "application/json", "content-length": String(Buffer.byteLength(body)), "user-agent": "Berth-Notifications/1" },
    });
    let answer: { status: number; location: string | null; chunks: Buffer[]; size: number } | null = null;
    const answered = () =>
      answer && done({ kind: "answered", status: answer.status, location: answer.location, body: Buffer.concat(answer.chunks).toString("utf8") });
    const timer = setTimeout(() => {
      // A status within the time is the receiver's answer, even if its body is still coming.
      if (answer) answered();
      else done({ kind: "failed", error: `no answer within ${opts.timeoutMs / 1000} s` });
    }, opts.timeoutMs);
    req.on("response", (res) => {
      answer = { status: res.statusCode ?? 0, location: typeof res.headers.location === "string" ? res.headers.location : null, chunks: [], size: 0 };
      res.on("data", (chunk: Buffer) => {
        if (!answer) return;
        const room = MAX_ANSWER_BYTES - answer.size;
        answer.chunks.push(chunk.subarray(0, room));
        answer.size += Math.min(chunk.length, room);
        if (answer.size >= MAX_ANSWER_BYTES) answered();
      });
      res.on("end", answered);
      res.on("error", answered);
    });
    req.on("error", (e) => done({ kind: "failed", error: e.message || String(e) }));
    req.end(body);
  });
}
