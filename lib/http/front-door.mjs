// Berth's front door: what every HTTP request passes before Next.js sees it (scripts/web-server.mjs).
// Plain JavaScript so the server starts with plain node. It refuses, with a 4xx and a clear message, input
// that Next.js itself would turn into a 500 (malformed paths, foreign or oversized server-action posts), and
// it decides the caller's address and the x-forwarded-* headers, which clients must not choose.
import net from "node:net";

export const CLIENT_IP_HEADER = "x-berth-client-ip"; // the same name as lib/http/client-ip.ts
export const ACTION_BODY_LIMIT = 1024 * 1024; // Next's own server-action limit (1 MB)

const FORWARDED = ["x-forwarded-for", "x-forwarded-host", "x-forwarded-proto", "x-forwarded-port", "forwarded", "x-real-ip"];

/** BERTH_TRUSTED_PROXIES: comma-separated addresses or CIDR blocks of reverse proxies in front of Berth. */
export function parseTrustedProxies(spec) {
  const list = new net.BlockList();
  for (const raw of (spec ?? "").split(",")) {
    const item = raw.trim();
    if (!item) continue;
    const [addr, bits] = item.split("/");
    const type = net.isIPv6(addr) ? "ipv6" : net.isIPv4(addr) ? "ipv4" : null;
    if (!type) throw new Error(`BERTH_TRUSTED_PROXIES: "${item}" is not an IP address or CIDR block`);
    if (bits === undefined) list.addAddress(addr, type);
    else {
      const prefix = Number(bits);
      if (!Number.isInteger(prefix) || prefix < 0 || prefix > (type === "ipv4" ? 32 : 128)) {
        throw new Error(`BERTH_TRUSTED_PROXIES: "${item}" has a bad prefix length`);
      }
      list.addSubnet(addr, prefix, type);
    }
  }
  return list;
}

function plainAddress(addr) {
  if (!addr) return "";
  return addr.startsWith("::ffff:") && net.isIPv4(addr.slice(7)) ? addr.slice(7) : addr;
}

function isTrusted(trusted, addr) {
  const a = plainAddress(addr);
  if (net.isIPv4(a)) return trusted.check(a, "ipv4");
  if (net.isIPv6(a)) return trusted.check(a, "ipv6");
  return false;
}

/**
 * The caller's address: the socket's peer, unless that peer is a trusted proxy; then X-Forwarded-For is walked
 * from the right (the hop each trusted proxy appended) to the first address no trusted proxy owns.
 */
export function clientAddress(remote, forwardedFor, trusted) {
  let addr = plainAddress(remote) || "unknown";
  if (!isTrusted(trusted, addr)) return addr;
  const hops = String(forwardedFor ?? "")
    .split(",")
    .map((h) => plainAddress(h.trim()))
    .filter(Boolean);
  while (hops.length) {
    const hop = hops.pop();
    if (!net.isIP(hop)) return addr; // garbage from the client side: stop at the last address we could trust
    addr = hop;
    if (!isTrusted(trusted, hop)) return hop;
  }
  return addr;
}

// Control characters, or a percent-encoded NUL: never part of a path or query Berth serves.
const RAW_CONTROL = /[\u0000-\u001f\u007f]/;
const ENCODED_NUL = /%00/;

/**
 * Why a request is refused before Next.js, or null. `req` needs method, url and headers (lower-cased names),
 * after normaliseForwarding (so x-forwarded-host, when present, came from a trusted proxy).
 */
export function refusal(req) {
  const url = req.url ?? "/";
  if (RAW_CONTROL.test(url) || ENCODED_NUL.test(url)) return { status: 400, code: "bad_request", message: "The address contains control characters." };
  const q = url.indexOf("?");
  const path = q === -1 ? url : url.slice(0, q);
  try {
    const decoded = decodeURIComponent(path);
    if (RAW_CONTROL.test(decoded)) return { status: 400, code: "bad_request", message: "The address contains control characters." };
  } catch {
    return { status: 400, code: "bad_request", message: "The address is not valid UTF-8." };
  }
  if (q !== -1) {
    for (const part of url.slice(q + 1).split("&")) {
      try {
        decodeURIComponent(part.replace(/\+/g, " "));
      } catch {
        return { status: 400, code: "bad_request", message: "The query string is not valid UTF-8." };
      }
    }
  }
  if (req.headers["next-action"] !== undefined) return actionRefusal(req);
  return null;
}

/** Server actions: Next answers 500 to a foreign Origin or an oversized body; here they get 403 and 413. */
function actionRefusal(req) {
  if (req.method !== "POST") return { status: 405, code: "method_not_allowed", message: "Server actions are POST requests." };
  const origin = req.headers.origin;
  if (origin !== undefined) {
    let host;
    try {
      host = new URL(origin).host;
    } catch {
      return { status: 403, code: "forbidden", message: "Cross-origin request refused." };
    }
    if (host !== (req.headers["x-forwarded-host"] ?? req.headers.host)) return { status: 403, code: "forbidden", message: "Cross-origin request refused." };
  }
  const length = req.headers["content-length"];
  if (length !== undefined && !(Number(length) <= ACTION_BODY_LIMIT)) {
    return { status: 413, code: "too_large", message: "The form is larger than 1 MB." };
  }
  return null;
}

/**
 * Replaces whatever forwarding headers the client sent with ones Berth vouches for: the client's address
 * (CLIENT_IP_HEADER), and x-forwarded-* only when they came from a trusted proxy. Next.js compares a server
 * action's Origin with x-forwarded-host, so a client must not be able to set it.
 */
export function normaliseForwarding(req, trusted) {
  const h = req.headers;
  const fromProxy = isTrusted(trusted, req.socket?.remoteAddress);
  h[CLIENT_IP_HEADER] = clientAddress(req.socket?.remoteAddress, h["x-forwarded-for"], trusted);
  if (!fromProxy) for (const name of FORWARDED) delete h[name];
}

/**
 * Server actions never throw (runAction turns every failure into form state), so when Next.js answers an
 * action request with a 5xx, it failed to decode what the client sent (a broken multipart body, an argument
 * list that is not React's encoding, a chunked body over the limit): that is the client's 400. Next still logs
 * the error it caught.
 */
export function actionFailuresAreClientErrors(res) {
  const writeHead = res.writeHead;
  res.writeHead = function (status, ...rest) {
    return writeHead.call(this, status >= 500 ? 400 : status, ...rest);
  };
}

/** Whether the browser reached Berth over https: directly, or through a trusted proxy that says so. */
export function isHttps(req) {
  return (
    Boolean(req.socket?.encrypted) ||
    String(req.headers["x-forwarded-proto"] ?? "")
      .split(",")[0]
      .trim() === "https"
  );
}

const withSecure = (cookie) => (/;\s*secure\s*(;|$)/i.test(cookie) ? cookie : `${cookie}; Secure`);

/**
 * Over https every cookie Berth sets is `Secure`, whatever NEXTAUTH_URL says (next-auth decides from that
 * variable alone, and a TLS-terminating proxy in front of an http NEXTAUTH_URL would leave the session
 * cookie sendable in clear).
 */
export function secureCookies(res) {
  const writeHead = res.writeHead;
  res.writeHead = function (status, ...rest) {
    const set = this.getHeader("set-cookie");
    if (set !== undefined) this.setHeader("set-cookie", [].concat(set).map(String).map(withSecure));
    const headers = rest.find((r) => r && typeof r === "object");
    if (Array.isArray(headers)) {
      for (let i = 0; i < headers.length; i += 2) if (String(headers[i]).toLowerCase() === "set-cookie") headers[i + 1] = withSecure(String(headers[i + 1]));
    } else if (headers) {
      for (const k of Object.keys(headers)) if (k.toLowerCase() === "set-cookie") headers[k] = [].concat(headers[k]).map(String).map(withSecure);
    }
    return writeHead.call(this, status, ...rest);
  };
}
