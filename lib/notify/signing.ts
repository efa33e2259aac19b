// Standard Webhooks signatures (https://www.standardwebhooks.com): the receiver checks
// webhook-signature = "v1," + base64(HMAC-SHA256(key, "<webhook-id>.<webhook-timestamp>.<body>")), where the
// key is the base64-decoded part of the secret after "whsec_", and refuses old timestamps.
import { createHmac } from "node:crypto";

function secretKey(secret: string): Buffer {
  if (!secret.startsWith("whsec_")) throw new Error("a signing secret starts with whsec_");
  const key = Buffer.from(secret.slice("whsec_".length), "base64");
  if (key.length < 16) throw new Error("the signing secret is too short");
  return key;
}

export function sign(secret: string, id: string, timestampSeconds: number, body: string): string {
  const mac = createHmac("sha256", secretKey(secret)).update(`${id}.${timestampSeconds}.${body}`).digest("base64");
  return `v1,${mac}`;
}

/** The three headers of a signed request; `id` is the delivery's id, the same on every retry and resend. */
export function signedHeaders(secret: string, id: string, body: string, now = new Date()): Record<string, string> {
  const timestamp = Math.floor(now.getTime() / 1000);
  return { "webhook-id": id, "webhook-timestamp": String(timestamp), "webhook-signature": sign(secret, id, timestamp, body) };
}
