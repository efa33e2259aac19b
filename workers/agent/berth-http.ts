// The agent's HTTP requests to Berth itself (enrollment, "does my host still exist?", its own image for an
// update): node:http(s) rather than fetch, which would load undici (about 10 MB more resident memory), and
// because fetch cannot add a CA. Over https Berth is trusted through the public roots, or through Berth's own
// CA once the agent has it (a Berth behind a name with a certificate from that CA).
import http from "node:http";
import https from "node:https";
import tls from "node:tls";

/** No answer at all: refused, reset, timed out, or a name that does not resolve. */
export class BerthUnreachable extends Error {}

export type BerthRequest = {
  method?: "GET" | "POST";
  json?: unknown;
  /** HTTP Basic as the host: `host-<id>:<password>`. */
  host?: { hostId: string; password: string };
  ca?: string;
  /** Idle time allowed between two packets. */
  timeoutMs?: number;
};

/** Sends the request; resolves with the response as soon as its head arrived (the body is the caller's to read). */
export function berthRequest(berthUrl: string, path: string, o: BerthRequest = {}): Promise<http.IncomingMessage> {
  const url = new URL(path, `${berthUrl.replace(/\/+$/, "")}/`);
  const body = o.json === undefined ? undefined : JSON.stringify(o.json);
  const headers: Record<string, string | number> = { Accept: "application/json" };
  if (body !== undefined) Object.assign(headers, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(body) });
  if (o.host) headers.Authorization = `Basic ${Buffer.from(`host-${o.host.hostId}:${o.host.password}`).toString("base64")}`;
  const timeout = o.timeoutMs ?? 15_000;
  return new Promise((resolve, reject) => {
    const options = { method: o.method ?? "GET", headers, timeout, ...(o.ca ? { ca: [...tls.rootCertificates, o.ca] } : {}) };
    const req = (url.protocol === "https:" ? https : http).request(url, options, (res) => {
      res.on("error", () => {}); // the reader sees it as an early end
      resolve(res);
    });
    req.on("timeout", () => req.destroy(new Error(`no answer within ${timeout / 1000} s`)));
    req.on("error", (e) => reject(new BerthUnreachable(`Berth at ${url.origin} could not be reached: ${e.message}`, { cause: e })));
    req.end(body);
  });
}

/** The whole body as text, refused beyond `limit` bytes. */
export async function readText(res: http.IncomingMessage, limit = 256 * 1024): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      res.destroy();
      throw new Error(`Berth's answer is larger than ${limit} bytes`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** Berth's own message from an error answer (`{error: {message}}`), else the start of the text. */
export function errorMessage(text: string): string {
  try {
    const m = (JSON.parse(text) as { error?: { message?: unknown } }).error?.message;
    if (typeof m === "string") return m;
  } catch {
    // not JSON
  }
  return text.trim().split("\n")[0]?.slice(0, 200) ?? "";
}
