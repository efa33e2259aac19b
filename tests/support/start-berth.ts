// Starts the built web app and the control worker on a free port, with the caller's environment (the
// test database, a queue prefix of its own). Used by the browser tests and the benchmarks.
import { spawn, type ChildProcess } from "node:child_process";
import net from "node:net";
import path from "node:path";
import { ensureFront, frontServer, removeFront } from "../../scripts/front-proxy.mjs";

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
    srv.on("error", reject);
  });
}

async function waitForHttp(url: string, child: ChildProcess, log: () => string, ms = 90_000) {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`Berth exited while starting:\n${log()}`);
    try {
      const res = await fetch(url, { redirect: "manual" });
      if (res.status < 500) return;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`Berth did not answer ${url} within ${ms / 1000}s:\n${log()}`);
}

/**
 * `publicAddress`: where other machines reach it (BERTH_PUBLIC_URL, for hosts that enroll from elsewhere);
 * `port`: one chosen beforehand (its URL must be known first, e.g. as a registry's token realm);
 * `webs`, `workers`: how many web processes and control workers (1 each); several web processes listen on
 * loopback behind a front server of this instance's own in setup's Caddy on `port` (scripts/front-proxy.mjs).
 */
export async function startBerth(opts: { publicAddress?: string; port?: number; webs?: number; workers?: number } = {}) {
  const root = process.cwd();
  const port = opts.port ?? (await freePort());
  const baseUrl = `http://localhost:${port}`;
  const publicUrl = opts.publicAddress ? `http://${opts.publicAddress}:${port}` : undefined;
  const env = { ...process.env, PORT: String(port), NEXTAUTH_URL: baseUrl, NODE_ENV: "production" as const, ...(publicUrl && { BERTH_PUBLIC_URL: publicUrl }) };
  const webCount = opts.webs ?? 1;
  const webPorts = webCount === 1 ? [port] : await Promise.all(Array.from({ length: webCount }, () => freePort()));
  const frontName = `berth_front_test_${port}`;
  const webEnv = webCount === 1 ? env : { ...env, BERTH_TRUSTED_PROXIES: [process.env.BERTH_TRUSTED_PROXIES, "127.0.0.1", "::1"].filter(Boolean).join(",") };
  let output = "";
  const spawnLogged = (cmd: string, args: string[], childEnv: NodeJS.ProcessEnv = env) => {
    const c = spawn(cmd === "node" ? process.execPath : path.join(root, "node_modules/.bin", cmd), args, { cwd: root, env: childEnv });
    c.stdout?.on("data", (d) => (output += d));
    c.stderr?.on("data", (d) => (output += d));
    return c;
  };
  const webs = webPorts.map((p) =>
    spawnLogged("node", ["scripts/web-server.mjs", "--port", String(p), ...(webCount === 1 ? [] : ["--host", "127.0.0.1"])], webEnv),
  );
  const workers = Array.from({ length: opts.workers ?? 1 }, () => spawnLogged("tsx", ["workers/control.ts"]));
  const [web, worker] = [webs[0]!, workers[0]!];
  for (const [i, w] of webs.entries()) await waitForHttp(`http://127.0.0.1:${webPorts[i]}/signin`, w, () => output);
  if (webCount > 1) {
    await ensureFront(frontServer({ listen: port, upstreams: webPorts.map((p) => `127.0.0.1:${p}`) }), { name: frontName });
    await waitForHttp(`${baseUrl}/signin`, web, () => output);
  }
  return {
    baseUrl,
    publicUrl: publicUrl ?? baseUrl,
    output: () => output,
    /** The processes' ids (benchmarks read their CPU time and memory from /proc). */
    pids: () => ({ web: web.pid, worker: worker.pid, webs: webs.map((c) => c.pid), workers: workers.map((c) => c.pid) }),
    /** Each web process's own address (several: behind the front at `baseUrl`). */
    webUrls: webPorts.map((p) => `http://127.0.0.1:${p}`),
    async stop() {
      for (const c of [...webs, ...workers]) c.kill("SIGTERM");
      if (webCount > 1) await removeFront({ name: frontName }).catch((e) => console.error(`the test's front server stays in Caddy: ${e.message}`));
    },
  };
}
