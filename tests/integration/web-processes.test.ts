// Two web processes behind the front server in setup's Caddy (scripts/front-proxy.mjs, startBerth({ webs: 2 })):
// a session signed in through the front is good on both processes; a push published while a viewer's live
// stream is open reaches it whichever process holds the stream, through the front too (Caddy streams the
// events unbuffered); with one process killed, the front keeps answering from the other.
import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { env } from "@/lib/env";
import { publishLive } from "@/lib/live/publish";
import { followLive, signIn } from "../../bench/support/client";
import { startBerth } from "../support/start-berth";
import { makeTeam, PASSWORD } from "./support/factory";
import { waitFor } from "./support/wait";

let berth: Awaited<ReturnType<typeof startBerth>>;
let cookie: string;
let slug: string;
let teamId: string;
const redis = new Redis(env.redisUrl, { maxRetriesPerRequest: 1 });
const stops: (() => void)[] = [];

beforeAll(async () => {
  const ctx = await makeTeam();
  [slug, teamId] = [ctx.team.slug, ctx.team.id];
  berth = await startBerth({ webs: 2 });
  cookie = await signIn(berth.baseUrl, ctx.actor.email, PASSWORD);
}, 120_000);

afterAll(async () => {
  for (const stop of stops) stop();
  await berth?.stop();
  redis.disconnect();
});

const me = (base: string) => fetch(`${base}/api/v1/me`, { headers: { cookie } });

describe("two web processes behind the front", () => {
  it("serve a session signed in through the front, on each process and through the front", async () => {
    expect(berth.webUrls).toHaveLength(2);
    for (const base of [...berth.webUrls, berth.baseUrl, berth.baseUrl]) {
      const res = await me(base);
      expect(res.status, base).toBe(200);
    }
    expect((await fetch(`${berth.webUrls[0]}/api/v1/me`)).status).toBe(401); // (the cookie is what does it)
  });

  it("push news to a live stream on either process, and through the front", async () => {
    const marker = `host-${randomBytes(4).toString("hex")}`;
    const got = new Map<string, boolean>();
    const where = [...berth.webUrls, berth.baseUrl, berth.baseUrl]; // the front's two land on different processes
    for (const [i, base] of where.entries()) {
      got.set(`${i}`, false);
      stops.push(await followLive(base, slug, cookie, (push) => push.hostId === marker && got.set(`${i}`, true)));
    }
    // Published until every stream has it (each subscribes on its own process a moment after it opens).
    const all = await waitFor(
      async () => {
        await publishLive(redis, teamId, { kind: "host", hostId: marker });
        return [...got.values()];
      },
      (v) => v.every(Boolean),
      15_000,
      300,
    );
    expect(all).toEqual(where.map(() => true));
  });

  it("keep answering through the front when one web process is gone", async () => {
    process.kill(berth.pids().webs[0]!, "SIGKILL");
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await me(berth.baseUrl)).status);
    expect(statuses).toEqual(statuses.map(() => 200));
  });
});
