// A team's live stream scoped to the hosts a page shows (`?hosts=`): it carries those hosts' heartbeat usage,
// counts and container rows and nothing of the other hosts' (at 1,000 hosts every page was sent every host's usage
// each second), while every host's status, additions and removals and deployments still pass. Real Redis, the
// process's one team subscription, the stream the API serves.
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { readSse, type SseEvent } from "@/cli/sse";
import { teamLiveStream } from "@/lib/api/streams/team-live";
import { env } from "@/lib/env";
import type { LiveMessage, LiveNews } from "@/lib/live/channels";
import { publishLive } from "@/lib/live/publish";
import { closeLiveSubscriber } from "@/lib/live/subscribe";
import { makeTeam } from "./support/factory";
import { waitFor } from "./support/wait";

const redis = new Redis(env.redisUrl, { maxRetriesPerRequest: 1 });
const aborts: AbortController[] = [];

afterAll(async () => {
  for (const a of aborts) a.abort();
  await closeLiveSubscriber();
  redis.disconnect();
});

/** Opens a stream (scoped to `hosts`, or the whole team) and collects its messages once it is ready. */
async function open(ctx: Awaited<ReturnType<typeof makeTeam>>, hosts: string[] | null) {
  const abort = new AbortController();
  aborts.push(abort);
  const got: LiveMessage[] = [];
  let ready = false;
  const events = readSse(teamLiveStream(ctx, abort.signal, hosts ? new Set(hosts) : null));
  void (async () => {
    for await (const e of events as AsyncGenerator<SseEvent>) {
      if (e.event === "ready") ready = true;
      else if (!e.event || e.event === "message") got.push(JSON.parse(e.data) as LiveMessage);
    }
  })().catch(() => {});
  expect(
    await waitFor(
      async () => ready,
      (r) => r,
    ),
  ).toBe(true);
  return got;
}

const usage = (id: string, cpuPercent: number) => ({ id, cpuPercent, lastHeartbeatAt: new Date().toISOString() });
const row = (dockerId: string) => ({
  dockerId,
  name: "web",
  image: "nginx",
  state: "running" as const,
  status: "Up",
  health: null,
  ports: [],
  labels: {},
  reportedAt: new Date().toISOString(),
});

describe("a live stream scoped to the hosts its page shows", () => {
  it("gets their usage, counts and containers, other hosts' status and every deployment, and nothing else", async () => {
    const ctx = await makeTeam();
    const [shown, other] = ["host-shown", "host-other"];
    const scoped = await open(ctx, [shown]);
    const none = await open(ctx, []);
    const whole = await open(ctx, null);
    const news: LiveNews[] = [
      { kind: "hosts", hosts: [usage(shown, 10), usage(other, 20)] },
      { kind: "hosts", hosts: [usage(other, 30)] },
      { kind: "containers", hostId: shown, upserted: [row("a".repeat(64))], removed: [] },
      { kind: "containers", hostId: other, upserted: [row("b".repeat(64))], removed: [] },
      { kind: "host", hostId: other, host: { id: other, containers: { running: 1 } } },
      { kind: "host", hostId: shown, host: { id: shown, containers: { running: 2 } } },
      { kind: "host", hostId: other, host: { id: other, status: "OFFLINE" } },
      { kind: "deployment", hostId: other, serviceId: "s1", deploymentId: "d1", status: "LIVE" },
      { kind: "host", hostId: "host-last" }, // the last, so every stream has had all of them once it has this
    ];
    for (const n of news) await publishLive(redis, ctx.team.id, n);
    const last = (got: LiveMessage[]) => got.some((m) => m.kind === "host" && m.hostId === "host-last");
    expect(
      await waitFor(
        async () => last(scoped) && last(none) && last(whole),
        (done) => done,
      ),
    ).toBe(true);

    const said = (got: LiveMessage[]) => got.map((m) => (m.kind === "hosts" ? `hosts:${m.hosts.map((h) => h.id).join("+")}` : `${m.kind}:${m.hostId}`));
    expect(said(scoped)).toEqual([`hosts:${shown}`, `containers:${shown}`, `host:${shown}`, `host:${other}`, `deployment:${other}`, "host:host-last"]);
    const usageShown = scoped.find((m) => m.kind === "hosts");
    expect(usageShown?.kind === "hosts" && usageShown.hosts[0]).toMatchObject({ id: shown, cpuPercent: 10 });
    expect(said(none)).toEqual([`host:${other}`, `deployment:${other}`, "host:host-last"]);
    expect(said(whole)).toEqual([
      `hosts:${shown}+${other}`,
      `hosts:${other}`,
      `containers:${shown}`,
      `containers:${other}`,
      `host:${other}`,
      `host:${shown}`,
      `host:${other}`,
      `deployment:${other}`,
      "host:host-last",
    ]);
  });
});
