// Faults with a deployment running, each on this suite's own services (support/fault-world.ts: its own
// PostgreSQL, Redis, and a second Docker host in a network namespace with its own dockerd, Caddy and a real
// agent process; a real control worker process), so other test runs on this machine are never disturbed:
// Redis, dockerd and PostgreSQL restarted, the agent and the control worker killed, the host cut off the
// network for 20 s, a live container removed by hand, the agent killed during a health check, Caddy
// restarted. After each, every deployment has ended in the right state (LIVE only if it serves), the
// service's URL serves the release Postgres names, the service is shown serving, and the host keeps no
// other container, tag, network or route (fault-berth.ts `converge`).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FIXTURE_IMAGE } from "../support/fixture-image";
import { startFaultWorld, type FaultWorld } from "./support/fault-world";

type Berth = Awaited<ReturnType<typeof import("./support/fault-berth").setUpBerth>>;

let world: FaultWorld;
let b: Berth;
const savedEnv = { ...process.env };
const ENDED = (s: string) => ["LIVE", "FAILED", "CANCELLED"].includes(s);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// A build that takes a moment (so a fault lands while it runs), and a release slow to answer its health check.
const SLOW_BUILD = `FROM ${FIXTURE_IMAGE}\nRUN sleep 2\nCOPY site/ /www/\nCMD ["sh", "-c", "httpd -f -p 8080 -h /www & trap 'kill $!; exit 0' TERM; wait"]\n`;
const SLOW_START = `FROM ${FIXTURE_IMAGE}\nCOPY site/ /www/\nCMD ["sh", "-c", "sleep 4; httpd -f -p 8080 -h /www & trap 'kill $!; exit 0' TERM; wait"]\n`;

/** Starts a deployment of a new release and returns once it is building. */
async function deployBuilding() {
  await b.commitRelease({ Dockerfile: SLOW_BUILD });
  const id = await b.deploy();
  await b.waitForStatus(id, (s) => s === "BUILDING" || ENDED(s));
  return id;
}

async function expectConverged() {
  const left = await b.converge();
  if (left.length) console.error(`agent:\n${world.tail("agent")}\ncontrol:\n${world.tail("control")}`);
  expect(left).toEqual([]);
}

beforeAll(async () => {
  world = await startFaultWorld();
  Object.assign(process.env, world.berthEnv);
  const { setUpBerth } = await import("./support/fault-berth");
  b = await setUpBerth(world);
  world.startControl();
  await world.startAgent();
  const first = await b.waitForStatus(await b.deploy(), ENDED, 90_000);
  expect(first.status).toBe("LIVE");
  await expectConverged();
}, 180_000);

afterAll(async () => {
  await b?.close().catch(() => {});
  await world?.remove();
  for (const k of Object.keys(process.env)) if (!(k in savedEnv)) delete process.env[k];
  Object.assign(process.env, savedEnv);
}, 60_000);

describe("faults while deploying", () => {
  it("Redis restarted: the deployment goes live, and its log keeps the lines from before the restart", async () => {
    const id = await deployBuilding();
    await world.restartRedis(1000);
    const d = await b.waitForStatus(id, ENDED, 60_000);
    expect([d.status, d.error]).toEqual(["LIVE", null]);
    expect(d.log).toMatch(/^\$ git /m); // written before the restart
    expect(d.log).toMatch(/now goes to the new container$/m); // and after
    await expectConverged();
  }, 90_000);

  it("dockerd restarted: the deployment ends, and the live release serves again wherever its address moved", async () => {
    const id = await deployBuilding();
    await world.restartDockerd();
    const d = await b.waitForStatus(id, ENDED, 60_000);
    expect(["LIVE", "FAILED"]).toContain(d.status);
    await expectConverged();
  }, 120_000);

  it("PostgreSQL restarted: the reports that could not be applied meanwhile are applied after, and it goes live", async () => {
    const id = await deployBuilding();
    await world.restartPostgres(3000);
    const d = await b.waitForStatus(id, ENDED, 60_000);
    expect([d.status, d.error]).toEqual(["LIVE", null]);
    await expectConverged();
  }, 90_000);

  it("the agent killed: its deployment fails when the lease runs out, and the restarted agent leaves nothing of it", async () => {
    const id = await deployBuilding();
    await world.kill("agent");
    await sleep(500);
    await world.startAgent();
    const d = await b.waitForStatus(id, ENDED, 60_000);
    expect(d.status).toBe("FAILED");
    expect(d.error).toMatch(/stopped reporting/);
    await expectConverged();
  }, 90_000);

  it("the control worker killed: another one takes over its unacknowledged reports, and the deployment goes live", async () => {
    const id = await deployBuilding();
    await world.kill("control");
    await sleep(1500);
    world.startControl();
    const d = await b.waitForStatus(id, ENDED, 60_000);
    expect([d.status, d.error]).toEqual(["LIVE", null]);
    await expectConverged();
  }, 90_000);

  it("the host cut off the network for 20 s: the deployment ends, and the host serves what Postgres says", async () => {
    const id = await deployBuilding();
    await world.cutNetwork(20_000);
    const d = await b.waitForStatus(id, ENDED, 60_000);
    // The lease (8 s here) ran out during the cut: failed, and whatever the agent switched to after it came
    // back is undone, since Postgres names the previous release.
    expect(d.status).toBe("FAILED");
    await expectConverged();
  }, 120_000);
});

describe("faults of a live service", () => {
  it("a live container removed by hand is recreated from its release, and the service says so meanwhile", async () => {
    await b.commitRelease({ Dockerfile: SLOW_START }); // 4 s before it answers: recreating it takes as long
    const d = await b.waitForStatus(await b.deploy(), ENDED, 60_000);
    expect(d.status).toBe("LIVE");
    await expectConverged();
    const [live] = await b.docker.listContainers({ filters: { label: [`berth.deployment.id=${d.id}`] } });
    await b.docker.getContainer(live!.Id).remove({ force: true });
    const seen = new Set<string>();
    const end = Date.now() + 30_000;
    while (Date.now() < end && !(seen.size && (await b.converge(0)).length === 0)) {
      const s = await b.servingProblem();
      if (s) seen.add(s);
      await sleep(100);
    }
    expect([...seen]).toContainEqual(expect.stringMatching(/^The container of release #\d+ was removed \(by hand\?\); recreating it from the release\.$/));
    await expectConverged();
  }, 90_000);

  it("the agent killed during a health check: the deployment fails, and neither its container nor its image tag stays", async () => {
    await b.commitRelease({ Dockerfile: SLOW_START });
    const id = await b.deploy();
    await b.waitForStatus(id, (s) => s === "HEALTH_CHECK" || ENDED(s));
    await world.kill("agent");
    await world.startAgent();
    const d = await b.waitForStatus(id, ENDED, 60_000);
    expect(d.status).toBe("FAILED");
    await expectConverged();
  }, 90_000);

  it("Caddy restarted with none of its routes: the route is set again", async () => {
    const missing = () => world.tail("agent", 10_000).split("the route was missing").length - 1;
    const before = missing();
    await world.restartCaddy();
    await expectConverged();
    expect(missing()).toBeGreaterThan(before);
  }, 60_000);
});
