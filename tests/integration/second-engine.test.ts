// The second Docker Engine the remote-host tests run on (tests/support/second-engine.ts): it starts and runs
// containers, its namespace and its containers reach this machine's primary address, cut() is a partition and
// heal() ends it, and stop() leaves nothing behind.
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import Dockerode from "dockerode";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureFixtureImage, FIXTURE_IMAGE, runFixture } from "../support/fixture-image";
import { leftoversOf, type SecondEngine, startSecondEngine } from "../support/second-engine";

const main = new Dockerode();
let engine: SecondEngine;
let server: http.Server;
let url: string;

beforeAll(async () => {
  await ensureFixtureImage(main);
  engine = await startSecondEngine();
  console.log(`second engine ${engine.name} started in ${engine.startMs} ms`);
  server = http.createServer((_req, res) => res.end("from the main machine\n"));
  await new Promise<void>((r) => server.listen(0, engine.mainAddress, r));
  url = `http://${engine.mainAddress}:${(server.address() as AddressInfo).port}/`;
}, 90_000);

afterAll(async () => {
  server?.close();
  await engine?.stop();
}, 60_000);

/** A GET of the main machine's server from inside the namespace, as the host's own processes would. */
const fetchFromNamespace = () => engine.exec(["curl", "-sS", "--max-time", "2", url], { timeoutMs: 10_000 });

describe("a second Docker Engine", () => {
  it("is another engine, in its own network namespace", async () => {
    const [a, b] = await Promise.all([main.info(), engine.docker.info()]);
    expect(b.ID).not.toBe(a.ID);
    expect(b.DockerRootDir).toBe(`/var/lib/berth-test-${engine.name}`);
    const ip = await engine.exec(["ip", "-o", "-4", "addr", "show"]);
    expect(ip.stdout).toContain(`${engine.address}/24`);
    expect(ip.stdout).not.toContain(engine.mainAddress);
  });

  it("runs the fixture image loaded from the main engine, and its containers reach the main machine", async () => {
    await expect(engine.docker.getImage(FIXTURE_IMAGE).inspect()).rejects.toMatchObject({ statusCode: 404 });
    await engine.loadImage(FIXTURE_IMAGE);
    // busybox's wget crashes (static glibc) in these images: a request by hand with nc
    const { hostname, port } = new URL(url);
    const c = await runFixture(engine.docker, { cmd: ["sh", "-c", `printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 5 ${hostname} ${port}`] });
    const { StatusCode } = await c.wait();
    const logs = (await c.logs({ stdout: true, stderr: true })).toString();
    expect(StatusCode, logs).toBe(0);
    expect(logs).toContain("from the main machine");
    // and it is not on the main engine
    await expect(main.getContainer(c.id).inspect()).rejects.toMatchObject({ statusCode: 404 });
  });

  it("reaches the main machine's primary address from the namespace; cut() partitions, heal() ends it", async () => {
    const before = await fetchFromNamespace();
    expect(before.stdout, before.stderr).toBe("from the main machine\n");
    engine.cut();
    try {
      const during = await fetchFromNamespace();
      expect(during.code).not.toBe(0);
      expect(during.stdout).toBe("");
    } finally {
      engine.heal();
    }
    const after = await fetchFromNamespace();
    expect(after.stdout, after.stderr).toBe("from the main machine\n");
  });

  it("stop() leaves nothing: no process, namespace, link, cgroup, data or exec root", async () => {
    const other = await startSecondEngine();
    expect(other.name).not.toBe(engine.name);
    expect(other.gateway).not.toBe(engine.gateway);
    await other.loadImage(FIXTURE_IMAGE);
    await runFixture(other.docker); // a running container, so stop() has one to remove
    expect(leftoversOf(other.name).length).toBeGreaterThan(0);
    await other.stop();
    expect(leftoversOf(other.name)).toEqual([]);
    expect(fs.existsSync(`/var/lib/berth-test-${other.name}`)).toBe(false);
    // the first engine is untouched
    expect((await engine.docker.ping()).toString()).toBe("OK");
  }, 90_000);
});
