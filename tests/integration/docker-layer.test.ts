// The agent's Docker layer against the real local Engine, with tiny busybox containers built on the spot.
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { promisify } from "node:util";
import Dockerode from "dockerode";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { containerSummary, hostFacts } from "@/lib/hosts/protocol";
import { connectDocker } from "@/workers/agent/docker/connect";
import { inspectSummary, listSummaries, runContainerAction } from "@/workers/agent/docker/containers";
import { watchContainerEvents, type ContainerEvent } from "@/workers/agent/docker/events";
import { startExec } from "@/workers/agent/docker/exec";
import { createHostFactsSampler } from "@/workers/agent/docker/host-facts";
import { listImages, removeImage } from "@/workers/agent/docker/images";
import { readLogs } from "@/workers/agent/docker/logs";
import { sampleStats } from "@/workers/agent/docker/stats";
import { buildOwnImage, ensureFixtureImage, FIXTURE_IMAGE, removeOwnImage, removeTestContainers, runFixture } from "@/tests/support/fixture-image";

const run = promisify(execFile);
const uniq = (p: string) => `berth-test-${p}-${randomBytes(4).toString("hex")}`;
// `sleep` as PID 1 ignores SIGTERM; this one stops at once, which keeps stop/start tests fast.
const QUICK_STOP = ["sh", "-c", "trap 'exit 0' TERM; sleep 3600 & wait"];

/** Polls `check` until it returns a value, failing after `ms`. */
async function until<T>(what: string, check: () => Promise<T | null | undefined | false> | T | null | undefined | false, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

let docker: Dockerode;
let apiVersion: string;
let sleeper: Dockerode.Container; // runs for the whole file
let sleeperName: string;

beforeAll(async () => {
  ({ docker, apiVersion } = await connectDocker());
  await ensureFixtureImage(docker);
  sleeperName = uniq("sleeper");
  sleeper = await runFixture(docker, { name: sleeperName, cmd: QUICK_STOP, labels: { "berth.role": "sleeper" } });
});

afterAll(async () => {
  if (docker) await removeTestContainers(docker);
});

describe("connectDocker", () => {
  it("pins the client to the API version the Engine reports", async () => {
    const version = await docker.version();
    expect(apiVersion).toMatch(/^1\.\d+$/);
    expect(apiVersion).toBe(version.ApiVersion);
    expect((docker.modem as unknown as { version: string }).version).toBe(`v${apiVersion}`);
  });

  it("builds the fixture image only once", async () => {
    const [a, b] = await Promise.all([ensureFixtureImage(docker), ensureFixtureImage(docker)]);
    expect(a).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(b).toBe(a);
    expect((await docker.getImage(FIXTURE_IMAGE).inspect()).Id).toBe(a);
  });
});

describe("containers", () => {
  it("lists a running container as a valid ContainerSummary", async () => {
    const all = await listSummaries(docker);
    const mine = all.find((c) => c.dockerId === sleeper.id);
    expect(mine).toBeDefined();
    for (const c of all) containerSummary.parse(c);
    expect(mine).toMatchObject({
      name: sleeperName,
      image: FIXTURE_IMAGE,
      command: QUICK_STOP.join(" "),
      state: "running",
      health: null,
      exitCode: null,
      finishedAt: null,
      restartPolicy: "no",
      ports: [],
    });
    expect(mine!.labels["berth.role"]).toBe("sleeper");
    expect(mine!.status).toMatch(/^Up /);
    expect(Date.parse(mine!.startedAt!)).toBeGreaterThan(Date.now() - 60_000);
  });

  it("returns null for a container that does not exist", async () => {
    expect(await inspectSummary(docker, "f".repeat(64))).toBeNull();
    await expect(runContainerAction(docker, "f".repeat(64), "start")).rejects.toThrow(/^No such container/);
  });

  it("stops and starts a container for real", async () => {
    const c = await runFixture(docker, { cmd: QUICK_STOP });
    await runContainerAction(docker, c.id, "stop");
    expect((await c.inspect()).State.Running).toBe(false);
    const stopped = await inspectSummary(docker, c.id);
    expect(stopped).toMatchObject({ state: "exited", exitCode: 0 });
    expect(stopped!.status).toMatch(/^Exited \(0\) /);
    expect(stopped!.finishedAt).not.toBeNull();

    await runContainerAction(docker, c.id, "stop"); // already stopped (304): not an error
    await runContainerAction(docker, c.id, "start");
    expect((await c.inspect()).State.Running).toBe(true);
    await runContainerAction(docker, c.id, "start"); // already started (304): not an error

    await runContainerAction(docker, c.id, "kill");
    expect((await c.inspect()).State).toMatchObject({ Running: false, ExitCode: 137 });
    await runContainerAction(docker, c.id, "remove");
    expect(await inspectSummary(docker, c.id)).toBeNull();
  });

  it("refuses to remove a running container with Docker's message", async () => {
    const err = await runContainerAction(docker, sleeper.id, "remove").then(
      () => null,
      (e: Error) => e,
    );
    expect(err).toBeInstanceOf(Error);
    expect(err!.message).toMatch(/^You cannot remove a running container/);
    expect((await sleeper.inspect()).State.Running).toBe(true);
  });
});

describe("watchContainerEvents", () => {
  it("sees die and start for changes made with the docker CLI, and nothing after stopping", async () => {
    const c = await runFixture(docker, { cmd: QUICK_STOP });
    const name = (await c.inspect()).Name.slice(1);
    const events: ContainerEvent[] = [];
    const ends: (Error | undefined)[] = [];
    const stop = watchContainerEvents(
      docker,
      (e) => events.push(e),
      (err) => ends.push(err),
    );
    // Straight after subscribing, without waiting for the stream to open (`since` covers that gap).
    await run("docker", ["stop", name]);
    await until("die event", () => events.some((e) => e.id === c.id && e.action === "die"));
    await run("docker", ["start", name]);
    await until("start event", () => events.some((e) => e.id === c.id && e.action === "start"));
    const die = events.find((e) => e.id === c.id && e.action === "die")!;
    expect(Math.abs(die.time - Date.now())).toBeLessThan(30_000);

    stop();
    const seen = events.length;
    await run("docker", ["kill", name]);
    await new Promise((r) => setTimeout(r, 300));
    expect(events.length).toBe(seen);
    expect(ends).toEqual([]);
  });

  it("reports a failed subscription once through onEnd", async () => {
    const nowhere = new Dockerode({ socketPath: "/nonexistent/docker.sock" });
    const ends: (Error | undefined)[] = [];
    watchContainerEvents(
      nowhere,
      () => undefined,
      (err) => ends.push(err),
    );
    await until("onEnd", () => ends.length > 0);
    await new Promise((r) => setTimeout(r, 50));
    expect(ends).toHaveLength(1);
    expect(ends[0]).toBeInstanceOf(Error);
  });
});

describe("readLogs", () => {
  it("demultiplexes stdout and stderr of a container without a TTY", async () => {
    const c = await runFixture(docker, { cmd: ["sh", "-c", "echo out; echo err >&2"] });
    await c.wait();
    const lines = await readLogs(docker, c.id, { tail: 100 });
    expect(lines).toHaveLength(2);
    expect(lines).toContainEqual({ stream: "stdout", text: "out", ts: null });
    expect(lines).toContainEqual({ stream: "stderr", text: "err", ts: null });

    const stamped = await readLogs(docker, c.id, { tail: 1, timestamps: true });
    expect(stamped).toHaveLength(1);
    expect(["out", "err"]).toContain(stamped[0].text);
    expect(Date.parse(stamped[0].ts!)).toBeGreaterThan(Date.now() - 60_000);
  });

  it("returns a TTY container's raw output as text, even when it looks like JSON", async () => {
    const c = await runFixture(docker, { tty: true, cmd: ["sh", "-c", `echo '{"level":"info"}'`] });
    await c.wait();
    expect(await readLogs(docker, c.id, { tail: 10 })).toEqual([{ stream: "stdout", text: '{"level":"info"}', ts: null }]);
  });
});

describe("stats, images and host facts", () => {
  it("samples sane stats from a running container", async () => {
    const s = await sampleStats(docker, sleeper.id);
    expect(s.memUsedBytes).toBeGreaterThan(0);
    expect(s.memLimitBytes).toBeGreaterThan(s.memUsedBytes);
    expect(s.memPercent).toBeGreaterThan(0);
    expect(s.memPercent).toBeLessThan(100);
    expect(s.cpuPercent).toBeGreaterThanOrEqual(0);
    expect(s.cpuPercent).toBeLessThanOrEqual(100 * 2 * 1.05);
    expect(s.pids).toBeGreaterThanOrEqual(2); // sh and sleep
    expect(s.netRxBytes).toBeGreaterThanOrEqual(0);
    expect(Math.abs(Date.parse(s.at) - Date.now())).toBeLessThan(30_000);
  });

  it("lists the fixture image with the containers using it", async () => {
    const fixture = (await listImages(docker)).find((i) => i.tags.includes(FIXTURE_IMAGE));
    expect(fixture).toBeDefined();
    expect(fixture!.id).toBe(await ensureFixtureImage(docker));
    expect(fixture!.sizeBytes).toBeGreaterThan(500_000);
    expect(fixture!.containers).toContainEqual({ id: sleeper.id, name: sleeperName });
  });

  // On an image of its own: the fixture's id may be shared (another tag, an identical build elsewhere), and
  // removing a reference to a shared id only untags it, which no conflict stops.
  it("refuses to remove an image a container uses, with Docker's message", async () => {
    const own = await buildOwnImage(docker);
    let user: Dockerode.Container | undefined;
    try {
      user = await runFixture(docker, { image: own.tag, cmd: QUICK_STOP });
      const name = (await user.inspect()).Name.slice(1);
      const listed = (await listImages(docker)).find((i) => i.id === own.id);
      expect(listed).toMatchObject({ tags: [own.tag], containers: [{ id: user.id, name }] });

      expect((await user.inspect()).State.Running).toBe(true); // the conflict below depends on it
      await expect(removeImage(docker, own.tag)).rejects.toThrow(/^conflict: unable to remove repository reference/);
      expect((await docker.getImage(own.tag).inspect()).Id).toBe(own.id);

      await user.remove({ force: true });
      await removeImage(docker, own.tag);
      await expect(docker.getImage(own.id).inspect()).rejects.toMatchObject({ statusCode: 404 });
    } finally {
      await user?.remove({ force: true }).catch(() => {});
      await removeOwnImage(docker, own);
    }
  });

  it("samples host facts that satisfy the protocol", async () => {
    const sample = createHostFactsSampler(docker, "test-agent");
    const first = hostFacts.parse(await sample());
    expect(first).toMatchObject({ agentVersion: "test-agent", apiVersion, cpuPercent: 0 });
    expect(first.dockerVersion).toMatch(/^\d+\.\d+/);
    expect(first.images).toBeGreaterThanOrEqual(1);
    expect(first.memUsedBytes).toBeGreaterThan(0);
    expect(first.memUsedBytes).toBeLessThan(first.memTotalBytes);
    await new Promise((r) => setTimeout(r, 200));
    const second = hostFacts.parse(await sample());
    expect(second.cpuPercent).toBeGreaterThanOrEqual(0);
    expect(second.cpuPercent).toBeLessThanOrEqual(100);
  });
});

describe("startExec", () => {
  it("runs an interactive shell with a sized TTY and reports its exit code", async () => {
    const session = await startExec(docker, sleeper.id, ["sh"], { cols: 80, rows: 24 });
    let output = "";
    session.stream.on("data", (d: Buffer) => (output += d.toString()));
    const expectOutput = (re: RegExp) => until(`output ${re}`, () => re.test(output), 5_000);

    // The TTY echoes what is typed, so look for what only running the command can produce.
    session.stream.write("echo $((6 * 7))x\n");
    await expectOutput(/42x/);
    session.stream.write("stty size\n");
    await expectOutput(/24 80/);
    await session.resize({ cols: 100, rows: 30 });
    session.stream.write("stty size\n");
    await expectOutput(/30 100/);
    session.stream.write("exit 3\n");
    expect(await session.wait()).toBe(3);
  });
});

describe("health", () => {
  it("turns unhealthy when the healthcheck fails", async () => {
    const c = await runFixture(docker, { healthcheck: { test: ["CMD", "false"], intervalMs: 300 } });
    const first = await inspectSummary(docker, c.id);
    expect(first!.health).toBe("starting");
    const sick = await until("unhealthy", async () => {
      const s = await inspectSummary(docker, c.id);
      return s?.health === "unhealthy" ? s : null;
    });
    expect(sick.status).toMatch(/^Up .* \(unhealthy\)$/);
    containerSummary.parse(sick);
  });
});
