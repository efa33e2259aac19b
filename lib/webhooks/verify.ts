// Authenticating push webhooks. Always verify against the raw request bytes: re-serialised JSON
// differs from what the sender signed.
import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import { header, type HeaderSource } from "./headers";

export type Provider = "github" | "gitlab" | "gitea" | "generic";
export type VerifyResult = { ok: true } | { ok: false; reason: string };
export { parsePush, type PushResult } from "./push";

const HEX_SHA256 = /^[0-9a-fA-F]{64}$/;

/** Compares a hex HMAC-SHA256 from a header with our own; malformed input is refused, never thrown. */
function checkHmac(secret: string, body: Buffer, given: string | null, name: string): VerifyResult {
  if (given === null || given === "") return { ok: false, reason: `missing ${name} header` };
  if (!HEX_SHA256.test(given)) return { ok: false, reason: `malformed ${name} header` };
  const expected = createHmac("sha256", secret).update(body).digest();
  const actual = Buffer.from(given, "hex");
  // Both are 32 bytes here (the regex fixed the length), which timingSafeEqual requires.
  if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) {
    return { ok: false, reason: "signature does not match" };
  }
  return { ok: true };
}

/** For "sha256=<hex>" headers (GitHub, Berth's generic format). */
function checkPrefixedHmac(secret: string, body: Buffer, given: string | null, name: string): VerifyResult {
  if (given === null || given === "") return { ok: false, reason: `missing ${name} header` };
  if (!given.startsWith("sha256=")) return { ok: false, reason: `malformed ${name} header (expected sha256=<hex>)` };
  const hex = given.slice(7);
  if (!HEX_SHA256.test(hex)) return { ok: false, reason: `malformed ${name} header` };
  return checkHmac(secret, body, hex, name);
}

/** GitLab sends the secret itself. Hashing both sides first gives equal lengths and hides the secret's. */
function checkToken(secret: string, given: string | null): VerifyResult {
  if (given === null || given === "") return { ok: false, reason: "missing X-Gitlab-Token header" };
  const a = createHash("sha256").update(given, "utf8").digest();
  const b = createHash("sha256").update(secret, "utf8").digest();
  return timingSafeEqual(a, b) ? { ok: true } : { ok: false, reason: "token does not match" };
}

/** Which sender a request comes from, by its event header. Gitea also sends GitHub's headers, so it goes first. */
export function detectProvider(headers: HeaderSource): Provider {
  if (header(headers, "x-gitea-event")) return "gitea";
  if (header(headers, "x-gitlab-event")) return "gitlab";
  if (header(headers, "x-github-event")) return "github";
  return "generic";
}

export function verifyWebhook(provider: Provider, secret: string, headers: HeaderSource, rawBody: Buffer | string): VerifyResult {
  // An empty secret would make every HMAC forgeable by anyone who also uses an empty key.
  if (typeof secret !== "string" || secret === "") return { ok: false, reason: "no webhook secret is configured" };
  const body = typeof rawBody === "string" ? Buffer.from(rawBody, "utf8") : rawBody;
  if (!Buffer.isBuffer(body)) return { ok: false, reason: "missing request body" };
  switch (provider) {
    case "github":
      return checkPrefixedHmac(secret, body, header(headers, "x-hub-signature-256"), "X-Hub-Signature-256");
    case "gitlab":
      return checkToken(secret, header(headers, "x-gitlab-token"));
    case "gitea":
      return checkHmac(secret, body, header(headers, "x-gitea-signature"), "X-Gitea-Signature");
    case "generic":
      return checkPrefixedHmac(secret, body, header(headers, "x-berth-signature"), "X-Berth-Signature");
    default:
      return { ok: false, reason: `unknown provider "${String(provider)}"` };
  }
}
