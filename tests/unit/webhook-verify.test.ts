import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { detectProvider, parsePush, verifyWebhook, type Provider } from "@/lib/webhooks/verify";

const SECRET = "s3cret-webhook-key";
const BODY = JSON.stringify({ ref: "refs/heads/main", after: "a".repeat(40) });
const hmac = (secret: string, body: string | Buffer) => createHmac("sha256", secret).update(body).digest("hex");

/** The headers each provider would send for BODY signed with `secret`. */
function signed(provider: Provider, secret = SECRET, body: string | Buffer = BODY): Record<string, string> {
  switch (provider) {
    case "github":
      return { "X-Hub-Signature-256": `sha256=${hmac(secret, body)}` };
    case "gitlab":
      return { "X-Gitlab-Token": secret };
    case "gitea":
      return { "X-Gitea-Signature": hmac(secret, body) };
    case "generic":
      return { "X-Berth-Signature": `sha256=${hmac(secret, body)}` };
  }
}

const PROVIDERS: Provider[] = ["github", "gitlab", "gitea", "generic"];
const HMAC_PROVIDERS: Provider[] = ["github", "gitea", "generic"];
const HEADER: Record<Provider, string> = {
  github: "X-Hub-Signature-256",
  gitlab: "X-Gitlab-Token",
  gitea: "X-Gitea-Signature",
  generic: "X-Berth-Signature",
};

function refused(r: { ok: true } | { ok: false; reason: string }, about: RegExp) {
  expect(r.ok, JSON.stringify(r)).toBe(false);
  if (!r.ok) expect(r.reason).toMatch(about);
}

describe("verifyWebhook", () => {
  it.each(PROVIDERS)("%s: accepts a correct signature over a string or Buffer body", (p) => {
    expect(verifyWebhook(p, SECRET, signed(p), BODY)).toEqual({ ok: true });
    expect(verifyWebhook(p, SECRET, signed(p), Buffer.from(BODY))).toEqual({ ok: true });
    expect(verifyWebhook(p, SECRET, new Headers(signed(p)), BODY)).toEqual({ ok: true });
  });

  it.each(HMAC_PROVIDERS)("%s: refuses a tampered body", (p) => {
    const tampered = BODY.replace("main", "evil");
    refused(verifyWebhook(p, SECRET, signed(p), tampered), /does not match/);
    // A single flipped byte anywhere counts.
    const bytes = Buffer.from(BODY);
    bytes[bytes.length - 1] ^= 1;
    refused(verifyWebhook(p, SECRET, signed(p), bytes), /does not match/);
  });

  it.each(PROVIDERS)("%s: refuses the wrong secret", (p) => {
    refused(verifyWebhook(p, SECRET, signed(p, "other-secret"), BODY), /does not match/);
    refused(verifyWebhook(p, SECRET, signed(p, SECRET.slice(0, -1)), BODY), /does not match/);
  });

  it.each(PROVIDERS)("%s: refuses a missing or empty header", (p) => {
    refused(verifyWebhook(p, SECRET, {}, BODY), /missing/);
    refused(verifyWebhook(p, SECRET, { [HEADER[p]]: undefined }, BODY), /missing/);
    refused(verifyWebhook(p, SECRET, { [HEADER[p]]: "" }, BODY), /missing/);
    refused(verifyWebhook(p, SECRET, new Headers(), BODY), /missing/);
  });

  it("does not accept another provider's header", () => {
    refused(verifyWebhook("github", SECRET, signed("generic"), BODY), /missing X-Hub-Signature-256/);
    refused(verifyWebhook("gitea", SECRET, signed("github"), BODY), /missing X-Gitea-Signature/);
    refused(verifyWebhook("generic", SECRET, signed("github"), BODY), /missing X-Berth-Signature/);
    refused(verifyWebhook("gitlab", SECRET, signed("github"), BODY), /missing X-Gitlab-Token/);
  });

  it.each(PROVIDERS)("%s: refuses an empty secret even when the request was signed with it", (p) => {
    refused(verifyWebhook(p, "", signed(p, ""), BODY), /no webhook secret/);
  });

  it.each(HMAC_PROVIDERS)("%s: refuses malformed and wrong-length signatures without throwing", (p) => {
    const good = hmac(SECRET, BODY);
    const prefix = p === "gitea" ? "" : "sha256=";
    const bad = [
      `${prefix}${good.slice(0, 63)}`,
      `${prefix}${good}0`,
      `${prefix}${good.slice(0, 32)}`,
      `${prefix}${"z".repeat(64)}`,
      `${prefix}${good} `,
      "sha256=",
      `sha1=${createHmac("sha1", SECRET).update(BODY).digest("hex")}`,
      `sha256=sha256=${good}`,
      "x",
    ];
    for (const value of bad) {
      let r: ReturnType<typeof verifyWebhook> | undefined;
      expect(() => (r = verifyWebhook(p, SECRET, { [HEADER[p]]: value }, BODY)), value).not.toThrow();
      refused(r!, /malformed|does not match/);
    }
  });

  it("github and generic require the sha256= prefix; gitea refuses it", () => {
    const hex = hmac(SECRET, BODY);
    refused(verifyWebhook("github", SECRET, { "X-Hub-Signature-256": hex }, BODY), /expected sha256=/);
    refused(verifyWebhook("generic", SECRET, { "X-Berth-Signature": hex }, BODY), /expected sha256=/);
    refused(verifyWebhook("gitea", SECRET, { "X-Gitea-Signature": `sha256=${hex}` }, BODY), /malformed/);
  });

  it("accepts an upper-case hex signature (same bytes)", () => {
    const hex = hmac(SECRET, BODY).toUpperCase();
    expect(verifyWebhook("github", SECRET, { "X-Hub-Signature-256": `sha256=${hex}` }, BODY)).toEqual({ ok: true });
  });

  it("gitlab: refuses tokens of a different length and with a trailing space without throwing", () => {
    for (const token of ["x", `${SECRET} `, `${SECRET}${SECRET}`, SECRET.toUpperCase()]) {
      refused(verifyWebhook("gitlab", SECRET, { "X-Gitlab-Token": token }, BODY), /does not match/);
    }
  });

  it("reads header names case-insensitively", () => {
    const sig = `sha256=${hmac(SECRET, BODY)}`;
    for (const name of ["x-hub-signature-256", "X-HUB-SIGNATURE-256", "X-Hub-Signature-256"]) {
      expect(verifyWebhook("github", SECRET, { [name]: sig }, BODY)).toEqual({ ok: true });
    }
    expect(verifyWebhook("gitlab", SECRET, { "x-gitlab-token": SECRET }, BODY)).toEqual({ ok: true });
    expect(verifyWebhook("gitea", SECRET, { "X-GITEA-SIGNATURE": hmac(SECRET, BODY) }, BODY)).toEqual({ ok: true });
    expect(verifyWebhook("generic", SECRET, new Headers({ "X-BERTH-SIGNATURE": sig }), BODY)).toEqual({ ok: true });
  });

  it("signs the exact bytes: re-serialised JSON does not verify", () => {
    const raw = `{"ref": "refs/heads/main",  "after": "${"a".repeat(40)}"}`;
    const headers = signed("github", SECRET, raw);
    expect(verifyWebhook("github", SECRET, headers, raw)).toEqual({ ok: true });
    refused(verifyWebhook("github", SECRET, headers, JSON.stringify(JSON.parse(raw))), /does not match/);
  });

  it("refuses an unknown provider", () => {
    refused(verifyWebhook("bitbucket" as Provider, SECRET, {}, BODY), /unknown provider/);
  });
});

const SHA = "0123456789abcdef0123456789abcdef01234567";
const ZERO = "0".repeat(40);

describe("parsePush", () => {
  it("github: a branch push", () => {
    const headers = { "X-GitHub-Event": "push", "X-GitHub-Delivery": "72d3162e-cc78-11e3-81ab-4c9367dc0958" };
    expect(parsePush("github", headers, { ref: "refs/heads/feature/x-1", after: SHA.toUpperCase(), deleted: false })).toEqual({
      ok: true,
      ref: "refs/heads/feature/x-1",
      branch: "feature/x-1",
      commit: SHA,
      deliveryId: "72d3162e-cc78-11e3-81ab-4c9367dc0958",
    });
  });

  it("gitlab: prefers checkout_sha, falls back to after, reads the event UUID", () => {
    const headers = { "X-Gitlab-Event": "Push Hook", "X-Gitlab-Event-UUID": "13792a34-cac6-4fda-95a8-c58e00a3954e" };
    const other = "f".repeat(40);
    expect(parsePush("gitlab", headers, { ref: "refs/heads/main", after: other, checkout_sha: SHA })).toEqual({
      ok: true,
      ref: "refs/heads/main",
      branch: "main",
      commit: SHA,
      deliveryId: "13792a34-cac6-4fda-95a8-c58e00a3954e",
    });
    expect(parsePush("gitlab", headers, { ref: "refs/heads/main", after: SHA, checkout_sha: null })).toMatchObject({ ok: true, commit: SHA });
  });

  it("gitea: a branch push", () => {
    const headers = { "x-gitea-event": "push", "x-gitea-delivery": "a9e4a3b4-1f6c-4c8a-9b1e-0f2d3c4b5a69" };
    expect(parsePush("gitea", headers, { ref: "refs/heads/release/2024.10", after: SHA })).toEqual({
      ok: true,
      ref: "refs/heads/release/2024.10",
      branch: "release/2024.10",
      commit: SHA,
      deliveryId: "a9e4a3b4-1f6c-4c8a-9b1e-0f2d3c4b5a69",
    });
  });

  it("generic: needs no event header; a missing delivery id is null", () => {
    expect(parsePush("generic", {}, { ref: "refs/heads/main", after: SHA })).toEqual({
      ok: true,
      ref: "refs/heads/main",
      branch: "main",
      commit: SHA,
      deliveryId: null,
    });
    expect(parsePush("generic", { "X-Berth-Delivery": "d-1" }, { ref: "refs/heads/main", after: SHA })).toMatchObject({ deliveryId: "d-1" });
  });

  it.each<[Provider, Record<string, string>]>([
    ["github", { "X-GitHub-Event": "push" }],
    ["gitlab", { "X-Gitlab-Event": "Tag Push Hook" }],
    ["gitea", { "X-Gitea-Event": "push" }],
    ["generic", {}],
  ])("%s: a tag push has no branch", (p, headers) => {
    expect(parsePush(p, headers, { ref: "refs/tags/v1.2.3", after: SHA, checkout_sha: SHA })).toEqual({
      ok: true,
      ref: "refs/tags/v1.2.3",
      branch: null,
      commit: SHA,
      deliveryId: null,
    });
  });

  it.each<[Provider, Record<string, string>, Record<string, unknown>]>([
    ["github", { "X-GitHub-Event": "push" }, { ref: "refs/heads/main", after: ZERO, deleted: true }],
    ["github", { "X-GitHub-Event": "push" }, { ref: "refs/heads/main", after: ZERO }],
    // GitHub's explicit flag wins even if "after" were ever filled in.
    ["github", { "X-GitHub-Event": "push" }, { ref: "refs/heads/main", after: SHA, deleted: true }],
    ["gitlab", { "X-Gitlab-Event": "Push Hook" }, { ref: "refs/heads/main", after: ZERO, checkout_sha: null }],
    ["gitea", { "X-Gitea-Event": "push" }, { ref: "refs/heads/main", after: ZERO }],
    ["generic", {}, { ref: "refs/heads/main", after: "0".repeat(64) }],
  ])("%s: a deleted branch is not a deploy", (p, headers, body) => {
    refused(parsePush(p, headers, body), /ignored: branch "main" was deleted/);
  });

  it("a deleted tag is not a deploy", () => {
    refused(parsePush("gitlab", { "X-Gitlab-Event": "Tag Push Hook" }, { ref: "refs/tags/v1", after: ZERO, checkout_sha: null }), /tag "v1" was deleted/);
  });

  it.each<[Provider, Record<string, string>]>([
    ["github", { "X-GitHub-Event": "ping" }],
    ["github", { "X-GitHub-Event": "pull_request" }],
    ["github", { "X-GitHub-Event": "Push" }],
    ["gitlab", { "X-Gitlab-Event": "Merge Request Hook" }],
    ["gitlab", { "X-Gitlab-Event": "push" }],
    ["gitea", { "X-Gitea-Event": "create" }],
    ["gitea", { "X-Gitea-Event": "issues" }],
  ])("%s: ignores non-push events (%j)", (p, headers) => {
    refused(parsePush(p, headers, { ref: "refs/heads/main", after: SHA }), /ignored: ".+" is not a push event/);
  });

  it.each<Provider>(["github", "gitlab", "gitea"])("%s: refuses a missing event header", (p) => {
    refused(parsePush(p, {}, { ref: "refs/heads/main", after: SHA }), /missing event header/);
  });

  it.each<[unknown, RegExp]>([
    [null, /not a JSON object/],
    ["push", /not a JSON object/],
    [[{ ref: "refs/heads/main" }], /not a JSON object/],
    [{ after: SHA }, /no ref/],
    [{ ref: 42, after: SHA }, /no ref/],
    [{ ref: "refs/heads/main" }, /no commit/],
    [{ ref: "refs/heads/main", after: 123 }, /no commit/],
    [{ ref: "refs/heads/main", after: "abc1234" }, /Invalid commit/],
    [{ ref: "refs/heads/main", after: `${SHA};id` }, /Invalid commit/],
    [{ ref: "refs/pull/1/head", after: SHA }, /neither a branch nor a tag/],
    [{ ref: "main", after: SHA }, /neither a branch nor a tag/],
    [{ ref: "refs/heads/-x", after: SHA }, /start with "-"/],
    [{ ref: "refs/heads/../../x", after: SHA }, /"\.\."/],
    [{ ref: "refs/heads/main$(id)", after: SHA }, /shell metacharacters/],
    [{ ref: "refs/heads/", after: SHA }, /a name is required/],
    [{ ref: "refs/heads/a\nb", after: SHA }, /control/],
  ])("refuses a malformed push %j", (body, about) => {
    refused(parsePush("github", { "X-GitHub-Event": "push" }, body), about);
  });

  it("refuses a malformed delivery id and reads headers case-insensitively", () => {
    const body = { ref: "refs/heads/main", after: SHA };
    refused(parsePush("github", { "x-github-event": "push", "x-github-delivery": "a b" }, body), /malformed delivery id/);
    refused(parsePush("github", { "x-github-event": "push", "x-github-delivery": "x".repeat(129) }, body), /malformed delivery id/);
    expect(parsePush("github", new Headers({ "X-GITHUB-EVENT": "push", "X-GITHUB-DELIVERY": "abc" }), body)).toMatchObject({
      ok: true,
      deliveryId: "abc",
    });
  });

  it("refuses an unknown provider", () => {
    refused(parsePush("bitbucket" as Provider, {}, { ref: "refs/heads/main", after: SHA }), /unknown provider/);
  });
});

describe("detectProvider", () => {
  it("tells senders apart by their event header, Gitea first (it also sends GitHub's)", () => {
    expect(detectProvider({ "X-GitHub-Event": "push" })).toBe("github");
    expect(detectProvider({ "X-Gitlab-Event": "Push Hook" })).toBe("gitlab");
    expect(detectProvider({ "X-Gitea-Event": "push", "X-GitHub-Event": "push" })).toBe("gitea");
    expect(detectProvider({ "X-Berth-Signature": "sha256=00" })).toBe("generic");
    expect(detectProvider(new Headers({ "x-gitea-event": "push" }))).toBe("gitea");
  });
});
