// Berth's Standard Webhooks signatures, checked by the standardwebhooks package (an independent implementation).
import { Webhook } from "standardwebhooks";
import { describe, expect, it } from "vitest";
import { newSigningSecret } from "@/lib/notify/secrets";
import { sign, signedHeaders } from "@/lib/notify/signing";

const BODY = JSON.stringify({ type: "deployment.failed", timestamp: "2026-12-06T12:00:00.000Z", data: { title: "Deployment failed: web" } });

describe("Standard Webhooks signing", () => {
  it("makes secrets of whsec_ and 32 random bytes", () => {
    const a = newSigningSecret();
    expect(a).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    expect(Buffer.from(a.slice(6), "base64").length).toBe(32);
    expect(newSigningSecret()).not.toBe(a);
  });

  it("signs what the reference verifier accepts", () => {
    const secret = newSigningSecret();
    const headers = signedHeaders(secret, "dlv_1", BODY);
    expect(headers["webhook-id"]).toBe("dlv_1");
    expect(headers["webhook-timestamp"]).toMatch(/^\d+$/);
    expect(new Webhook(secret).verify(BODY, headers)).toEqual(JSON.parse(BODY));
  });

  it("agrees with the reference signer byte for byte", () => {
    const secret = newSigningSecret();
    const at = new Date("2026-12-06T12:00:00Z");
    expect(sign(secret, "dlv_2", Math.floor(at.getTime() / 1000), BODY)).toBe(new Webhook(secret).sign("dlv_2", at, BODY));
  });

  it("is refused by the verifier when the body, id, timestamp or secret differ", () => {
    const secret = newSigningSecret();
    const headers = signedHeaders(secret, "dlv_3", BODY);
    const wh = new Webhook(secret);
    expect(() => wh.verify(BODY.replace("failed", "succeeded"), headers)).toThrow();
    expect(() => wh.verify(BODY, { ...headers, "webhook-id": "dlv_4" })).toThrow();
    expect(() => wh.verify(BODY, { ...headers, "webhook-timestamp": String(Number(headers["webhook-timestamp"]) + 1) })).toThrow();
    expect(() => new Webhook(newSigningSecret()).verify(BODY, headers)).toThrow();
  });

  it("signs an old timestamp that the verifier then refuses as stale", () => {
    const secret = newSigningSecret();
    const headers = signedHeaders(secret, "dlv_5", BODY, new Date(Date.now() - 3_600_000));
    expect(() => new Webhook(secret).verify(BODY, headers)).toThrow(/timestamp/i);
  });

  it("refuses a secret that is not a Standard Webhooks secret", () => {
    expect(() => sign("hunter2", "dlv", 1, BODY)).toThrow(/whsec_/);
  });
});
