// The host's reverse proxy against the real Caddy that scripts/setup.sh starts: two busybox web servers on a
// user-defined bridge network, a *.localhost route switched between them while requests keep flowing.
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import http from "node:http";
import Dockerode from "dockerode";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createProxy } from "@/workers/agent/proxy/caddy";
import { ensureFixtureImage, FIXTURE_IMAGE, removeTestContainers, testLabels } from "../support/fixture-image";
import { proxyGet } from "../support/proxy-http";
import { waitFor } from "./support/wait";

const docker = new Dockerode();
// The admin address createProxy() reads (the proxy port comes from tests/support/proxy-http.ts).
const ADMIN = process.env.BERTH_CADDY_ADMIN ?? "http://127.0.0.1:2019";
const suffix = randomBytes(4).toString("hex");
const ID = `t-${suffix}`;
const HOST = `t-${suffix}.localhost`;
const NOT_FOUND = "No Berth service answers at this address.\n";
// Routes name the host whose agent set them (the convergence pass removes only its own).
const OWNER = "proxytest";
const proxy = createProxy({ owner: OWNER });
const ids = [ID, `${ID}-race`];
let network: Dockerode.Network;
let upstreamA: string;
let upstreamB: string;

/** GET / on the proxy with a Host header; never throws on an HTTP status (tests/support/proxy-http.ts). */
const get = (host: string, agent: http.Agent | false = false) => proxyGet(host, "/", agent);

/** A busybox httpd serving `content` on :8080 in the test network; returns its `ip:8080`. */
async function webServer(content: string): Promise<string> {
  const container = await docker.createContainer({
    Image: FIXTURE_IMAGE,
    Cmd: ["sh", "-c", 'mkdir -p /www && printf "%s\\n" "$CONTENT" > /www/index.html && exec httpd -f -p 8080 -h /www'],
    Env: [`CONTENT=${content}`],
    Labels: testLabels(),
    HostConfig: { NetworkMode: network.id },
    StopTimeout: 1,
  });
  await container.start();
  const info = await container.inspect();
  const ip = Object.values(info.NetworkSettings.Networks)[0]?.IPAddress;
  if (!ip) throw new Error("the web server container has no IP address in the test network");
  return `${ip}:8080`;
}

const routesInCaddy = async () => (await (await fetch(`${ADMIN}/config/apps/http/servers/berth/routes`)).json()) as { "@id"?: string }[];

beforeAll(async () => {
  await ensureFixtureImage(docker);
  network = await docker.createNetwork({ Name: `berth-test-proxy-${suffix}`, Driver: "bridge", Labels: testLabels() });
  [upstreamA, upstreamB] = await Promise.all([webServer("content A"), webServer("content B")]);
});

afterAll(async () => {
  for (const id of ids) await proxy.removeRoute(id).catch(() => undefined);
  await removeTestContainers(docker);
  await network?.remove().catch(() => undefined);
});

describe("the Caddy reverse proxy", () => {
  it("routes a *.localhost name to a container over plain HTTP (no redirect to HTTPS)", async () => {
    await proxy.setRoute(ID, [HOST], upstreamA);
    // httpd may still be starting: until then Caddy answers 502.
    const res = await waitFor(
      () => get(HOST),
      (r) => r.status === 200,
    );
    expect(res).toEqual({ status: 200, body: "content A\n" });
    expect(await proxy.getRoute(ID)).toEqual({ hosts: [HOST], upstream: upstreamA, owner: OWNER });
    expect((await proxy.listRoutes()).filter((r) => r.id === ID)).toEqual([{ id: ID, hosts: [HOST], upstream: upstreamA, owner: OWNER }]);
  });

  it("replaces the route in place, before the catch-all", async () => {
    await proxy.setRoute(ID, [HOST], upstreamB);
    expect(
      await waitFor(
        () => get(HOST),
        (r) => r.status === 200,
      ),
    ).toEqual({ status: 200, body: "content B\n" });
    const routes = await routesInCaddy();
    expect(routes.filter((r) => r["@id"] === `berth-${ID}`)).toHaveLength(1);
    expect(routes.at(-1)?.["@id"]).toBe("berth_fallback");
    expect((await proxy.listRoutes()).every((r) => /^[a-z0-9-]+$/.test(r.id))).toBe(true);
  });

  it("never fails a request while the route switches back and forth", async () => {
    // Each switch re-binds Caddy's port; without this setting Linux resets connections queued on the old socket.
    expect(readFileSync("/proc/sys/net/ipv4/tcp_migrate_req", "utf8").trim(), "run scripts/setup.sh: it sets net.ipv4.tcp_migrate_req=1").toBe("1");
    const keepAlive = new http.Agent({ keepAlive: true });
    let retried = 0;
    // Each switch also closes idle keep-alive connections, and a request sent on one at that instant is reset
    // before any answer; browsers and curl then send it again on a new connection, as this does.
    const getLikeABrowser = (host: string) =>
      get(host, keepAlive).catch((err: NodeJS.ErrnoException & { reusedSocket?: boolean }) => {
        if (!err.reusedSocket || err.code !== "ECONNRESET") throw err;
        retried++;
        return get(host, keepAlive);
      });
    let switching = true;
    const probe = async (request: (host: string) => Promise<{ status: number; body: string }>) => {
      const seen: string[] = [];
      while (switching) {
        const r = await request(HOST).catch((err: Error) => ({ status: 0, body: err.message }));
        seen.push(r.status === 200 ? r.body : `${r.status} ${r.body}`);
      }
      return seen;
    };
    const probes = Promise.all([probe((host) => get(host, false)), probe(getLikeABrowser)]);
    for (let i = 0; i < 5; i++) {
      await proxy.setRoute(ID, [HOST], i % 2 === 0 ? upstreamA : upstreamB);
      await new Promise((r) => setTimeout(r, 150));
    }
    switching = false;
    const [fresh, reused] = await probes;
    keepAlive.destroy();
    for (const seen of [fresh, reused]) {
      expect(seen.filter((b) => b !== "content A\n" && b !== "content B\n")).toEqual([]);
      expect(seen.length).toBeGreaterThan(10);
      expect(seen).toContain("content B\n");
      expect(seen.at(-1)).toBe("content A\n"); // the fifth switch went to A
    }
    expect(retried).toBeLessThanOrEqual(5); // at most one reset keep-alive connection per switch
  });

  it("answers 404 with the catch-all text for a name nobody serves", async () => {
    expect(await get(`nobody-${suffix}.localhost`)).toEqual({ status: 404, body: NOT_FOUND });
  });

  it("creates one route when two calls race for a new id", async () => {
    const id = `${ID}-race`;
    await Promise.all([proxy.setRoute(id, [`race-${suffix}.localhost`], upstreamA), proxy.setRoute(id, [`race-${suffix}.localhost`], upstreamB)]);
    expect((await routesInCaddy()).filter((r) => r["@id"] === `berth-${id}`)).toHaveLength(1);
    expect(await proxy.getRoute(id)).toEqual({ hosts: [`race-${suffix}.localhost`], upstream: upstreamB, owner: OWNER });
    await proxy.removeRoute(id);
  });

  it("removes a route: the name falls through to the catch-all; removing again is fine", async () => {
    await proxy.removeRoute(ID);
    expect(await get(HOST)).toEqual({ status: 404, body: NOT_FOUND });
    expect(await proxy.getRoute(ID)).toBeNull();
    expect((await proxy.listRoutes()).some((r) => r.id === ID)).toBe(false);
    await proxy.removeRoute(ID);
  });

  it("refuses invalid ids, hostnames and upstreams before asking Caddy", async () => {
    for (const id of ["", "Upper", "under_score", "a/b", "../x"]) {
      await expect(proxy.setRoute(id, [HOST], upstreamA)).rejects.toThrow(/^Invalid route id/);
    }
    for (const host of ["Foo.localhost", "a..localhost", "-a.localhost", "a b.localhost", "*.example.com", "x".repeat(254), ""]) {
      await expect(proxy.setRoute(ID, [host], upstreamA)).rejects.toThrow(/^Invalid hostname/);
    }
    await expect(proxy.setRoute(ID, [], upstreamA)).rejects.toThrow(/at least one hostname/);
    for (const upstream of ["nope", "10.0.0.1", "10.0.0.1:0", "example.com:80", "10.0.0.1:8080/x"]) {
      await expect(proxy.setRoute(ID, [HOST], upstream)).rejects.toThrow(/^Invalid upstream/);
    }
    await expect(proxy.removeRoute("Bad")).rejects.toThrow(/^Invalid route id/);
    expect(await proxy.getRoute(ID)).toBeNull();
  });

  it("says so when Caddy's admin API does not answer", async () => {
    const gone = createProxy({ adminUrl: "http://127.0.0.1:1" });
    await expect(gone.listRoutes()).rejects.toThrow("Caddy's admin API at http://127.0.0.1:1 does not answer: is Caddy running? (scripts/setup.sh starts it)");
  });

  it("passes Caddy's own message on when the admin API refuses", async () => {
    const wrong = createProxy({ adminUrl: `${ADMIN}/nowhere` });
    await expect(wrong.listRoutes()).rejects.toThrow(/^Caddy refused PUT .*: .+/);
  });
});
