// The JSON API authenticates by itself and answers bad requests with 4xx and a message.
import type { Browser, BrowserContext } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { baseUrl, createTeam, joinAsNewUser, launch, newPage, signUp, uniqueEmail } from "./support/browser";

let browser: Browser;
let owner: BrowserContext;
let slug: string;

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
    const res = await fetch(`${baseUrl()}/api/teams`);
    expect(res.status).toBe(401);
    expect((await res.json()).error.code).toBe("unauthorized");
    expect((await fetch(`${baseUrl()}/api/teams/${slug}/members`)).status).toBe(401);
  });

  it("lists the caller's teams and reads another team as not found", async () => {
    const mine = await owner.request.get("/api/teams");
    expect(mine.status()).toBe(200);
    expect((await mine.json()).teams.map((t: { slug: string }) => t.slug)).toContain(slug);

    const stranger = await newPage(browser);
    await signUp(stranger, { name: "Stranger", email: uniqueEmail("stranger") });
    for (const path of [`/api/teams/${slug}`, `/api/teams/${slug}/members`, `/api/teams/${slug}/audit`]) {
      expect((await stranger.context().request.get(path)).status()).toBe(404);
    }
    const del = await stranger.context().request.delete(`/api/teams/${slug}?confirm=x`);
    expect(del.status()).toBe(404);
  });

  it("validates input and refuses non-JSON mutations", async () => {
    const bad = await owner.request.post(`/api/teams/${slug}/invites`, { data: { email: "nope", role: "VIEWER" } });
    expect(bad.status()).toBe(400);
    const body = await bad.json();
    expect(body.error.fields.email[0]).toMatch(/valid email/);
    const form = await owner.request.post(`/api/teams/${slug}/invites`, { form: { email: "a@b.co", role: "VIEWER" } });
    expect(form.status()).toBe(415);
    const cross = await owner.request.post(`/api/teams/${slug}/invites`, {
      data: { email: "a@b.co", role: "VIEWER" },
      headers: { origin: "http://evil.example" },
    });
    expect(cross.status()).toBe(403);
  });

  it("lets the owner invite and a viewer not", async () => {
    const email = uniqueEmail("apiviewer");
    const ok = await owner.request.post(`/api/teams/${slug}/invites`, { data: { email, role: "VIEWER" } });
    expect(ok.status()).toBe(200);
    const { invite } = await ok.json();
    expect(invite.url).toContain("/invite/");

    const viewer = await joinAsNewUser(browser, invite.url, slug, "Api Viewer");
    const denied = await viewer.context().request.post(`/api/teams/${slug}/invites`, { data: { email: uniqueEmail("x"), role: "VIEWER" } });
    expect(denied.status()).toBe(403);
    expect((await denied.json()).error.message).toMatch(/Only admins and owners/);
    const team = await viewer.context().request.get(`/api/teams/${slug}`);
    expect((await team.json()).role).toBe("VIEWER");
  });

  it("sends security headers: no framing, no sniffing, no referrer to other sites", async () => {
    for (const path of ["/signin", `/t/${slug}`, "/api/teams"]) {
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
