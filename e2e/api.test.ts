// The JSON API (/api/v1) authenticates by itself and answers bad requests with 4xx and a message.
import type { Browser, BrowserContext } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OPERATIONS } from "@/lib/api/registry";
import { baseUrl, createTeam, joinAsNewUser, launch, newPage, signUp, uniqueEmail } from "./support/browser";

let browser: Browser;
let owner: BrowserContext;
let slug: string;

const api = (path: string) => `/api/v1${path}`;

beforeAll(async () => {
  browser = await launch();
  const page = await newPage(browser);
  await signUp(page, { name: "Api Owner", email: uniqueEmail("api") });
  slug = await createTeam(page, `Api ${Date.now().toString(36)}`);
  owner = page.context();
});
afterAll(async () => {
  await browser?.close();
});

describe("JSON API", () => {
  it("refuses callers without a session", async () => {
    const res = await fetch(`${baseUrl()}${api("/teams")}`);
    expect(res.status).toBe(401);
    expect((await res.json()).error.code).toBe("unauthorized");
    expect((await fetch(`${baseUrl()}${api(`/teams/${slug}/members`)}`)).status).toBe(401);
    expect((await fetch(`${baseUrl()}${api("/me")}`)).status).toBe(401);
  });

  it("lists the caller's teams, says who they are, and reads another team as not found", async () => {
    const mine = await owner.request.get(api("/teams"));
    expect(mine.status()).toBe(200);
    expect((await mine.json()).teams).toContainEqual(expect.objectContaining({ slug, role: "OWNER" }));
    const me = await (await owner.request.get(api("/me"))).json();
    expect(me).toEqual({ user: expect.objectContaining({ name: "Api Owner" }), team: null, token: null });

    const stranger = await newPage(browser);
    await signUp(stranger, { name: "Stranger", email: uniqueEmail("stranger") });
    for (const path of [`/teams/${slug}`, `/teams/${slug}/members`, `/teams/${slug}/audit`, `/teams/${slug}/invites`]) {
      const res = await stranger.context().request.get(api(path));
      expect(res.status(), path).toBe(404);
      expect((await res.json()).error.code, path).toBe("not_found");
    }
    const del = await stranger.context().request.delete(api(`/teams/${slug}?confirm=x`));
    expect(del.status()).toBe(404);
  });

  it("answers an unknown path with 404 and a wrong method with 405 naming the right ones, both as JSON", async () => {
    const unknown = await owner.request.get(api("/no-such-thing"));
    expect(unknown.status()).toBe(404);
    expect(unknown.headers()["content-type"]).toMatch(/application\/json/);
    expect((await unknown.json()).error.message).toMatch(/openapi\.json/);
    // The old address is gone, not silently answered.
    expect((await owner.request.get(`/api/teams/${slug}/members`)).status()).toBe(404);

    const wrong = await owner.request.put(api(`/teams/${slug}`), { data: { name: "x" } });
    expect(wrong.status()).toBe(405);
    expect(wrong.headers().allow?.split(", ").sort()).toEqual(["DELETE", "GET", "PATCH"]);
    expect((await wrong.json()).error.code).toBe("method_not_allowed");
  });

  it("validates input and refuses non-JSON and cross-origin mutations from a session", async () => {
    const bad = await owner.request.post(api(`/teams/${slug}/invites`), { data: { email: "nope", role: "VIEWER" } });
    expect(bad.status()).toBe(400);
    expect((await bad.json()).error.fields.email[0]).toMatch(/valid email/);
    const typo = await owner.request.post(api(`/teams/${slug}/invites`), { data: { email: "a@b.co", rol: "VIEWER" } });
    expect(typo.status()).toBe(400);
    expect((await typo.json()).error.fields.rol).toBeDefined();

    const form = await owner.request.post(api(`/teams/${slug}/invites`), { form: { email: "a@b.co", role: "VIEWER" } });
    expect(form.status()).toBe(415);
    expect((await form.json()).error.code).toBe("unsupported_media_type");
    const cross = await owner.request.post(api(`/teams/${slug}/invites`), {
      data: { email: "a@b.co", role: "VIEWER" },
      headers: { origin: "http://evil.example" },
    });
    expect(cross.status()).toBe(403);
    const crossDelete = await owner.request.delete(api(`/teams/${slug}?confirm=x`), { headers: { origin: "http://evil.example" } });
    expect(crossDelete.status()).toBe(403);
    // None of them made an invite.
    expect((await (await owner.request.get(api(`/teams/${slug}/invites`))).json()).invites).toEqual([]);
  });

  it("lets the owner invite and a viewer not; the audit log names what happened", async () => {
    const email = uniqueEmail("apiviewer");
    const ok = await owner.request.post(api(`/teams/${slug}/invites`), { data: { email, role: "VIEWER" } });
    expect(ok.status()).toBe(201);
    const invite = await ok.json();
    expect(invite).toEqual(expect.objectContaining({ email, role: "VIEWER", url: expect.stringContaining("/invite/") }));
    expect(invite).not.toHaveProperty("tokenHash");

    const viewer = await joinAsNewUser(browser, invite.url, slug, "Api Viewer");
    const denied = await viewer.context().request.post(api(`/teams/${slug}/invites`), { data: { email: uniqueEmail("x"), role: "VIEWER" } });
    expect(denied.status()).toBe(403);
    expect((await denied.json()).error.message).toMatch(/Only admins and owners/);
    const team = await viewer.context().request.get(api(`/teams/${slug}`));
    expect(await team.json()).toEqual(expect.objectContaining({ team: expect.objectContaining({ slug }), role: "VIEWER", members: 2 }));

    const audit = await (await owner.request.get(api(`/teams/${slug}/audit?action=invite.`))).json();
    expect(audit.events.map((e: { action: string }) => e.action)).toEqual(["invite.accept", "invite.create"]);
    expect(audit.events[1]).toEqual(expect.objectContaining({ targetLabel: email, tokenName: null, createdAt: expect.any(String) }));
    const badFilter = await owner.request.get(api(`/teams/${slug}/audit?limit=0`));
    expect(badFilter.status()).toBe(400);
  });

  it("sends security headers: no framing, no sniffing, no referrer to other sites", async () => {
    for (const path of ["/signin", `/t/${slug}`, api("/teams")]) {
      const res = await owner.request.get(path, { maxRedirects: 0 });
      const h = res.headers();
      expect(h["content-security-policy"], path).toMatch(/frame-ancestors 'none'/);
      expect(h["content-security-policy"], path).toMatch(/default-src 'self'/);
      expect(h["x-frame-options"], path).toBe("DENY");
      expect(h["x-content-type-options"], path).toBe("nosniff");
      expect(h["referrer-policy"], path).toBe("same-origin");
    }
  });
});

describe("the API's own description", () => {
  it("serves an OpenAPI 3.1 document, without sign-in, naming every operation with its role and token scope", async () => {
    const res = await fetch(`${baseUrl()}${api("/openapi.json")}`);
    expect(res.status).toBe(200);
    const doc = (await res.json()) as { openapi: string; paths: Record<string, Record<string, Record<string, unknown>>>; components: { schemas: object } };
    expect(doc.openapi).toBe("3.1.0");
    const documented = Object.entries(doc.paths).flatMap(([path, methods]) => Object.entries(methods).map(([method, o]) => ({ path, method, o })));
    expect(documented.map((d) => d.o.operationId).sort()).toEqual(OPERATIONS.map((op) => op.id).sort());
    for (const { path, method, o } of documented) {
      expect(path.startsWith("/api/v1/"), path).toBe(true);
      expect(o.summary, `${method} ${path}`).toBeTruthy();
      if (path.startsWith("/api/v1/teams/{team}")) {
        expect(o["x-berth-role"], `${method} ${path}`).toMatch(/^(OWNER|ADMIN|DEVELOPER|VIEWER)$/);
        expect(o["x-berth-scope"] !== undefined, `${method} ${path}`).toBe(true);
      }
    }
    // Every reference points at something the document has.
    for (const ref of JSON.stringify(doc).match(/"\$ref":"[^"]+"/g) ?? []) {
      const name = ref.match(/#\/components\/schemas\/([^"]+)/)?.[1];
      expect(name && name in doc.components.schemas, ref).toBe(true);
    }
  });
});
