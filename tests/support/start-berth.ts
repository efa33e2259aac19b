// Starts the built web app and the control worker on a free port, with the caller's environment (the
// test database, a queue prefix of its own). Used by the browser tests and the benchmarks.
import { spawn, type ChildProcess } from "node:child_process";
import net from "node:net";
import path from "node:path";

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
 * `port`: one chosen beforehand (its URL must be known first, e.g. as a registry's token realm).
 */
export async function startBerth(opts: { publicAddress?: string; port?: number } = {}) {
  const root = process.cwd();
  const port = opts.port ?? (await freePort());
  const baseUrl = `http://localhost:${port}`;
  const publicUrl = opts.publicAddress ? `http://${opts.publicAddress}:${port}` : undefined;
  const env = { ...process.env, PORT: String(port), NEXTAUTH_URL: baseUrl, NODE_ENV: "production" as const, ...(publicUrl && { BERTH_PUBLIC_URL: publicUrl }) };
  let output = "";
  const spawnLogged = (cmd: string, args: string[]) => {
    const c = spawn(cmd === "node" ? process.execPath : path.join(root, "node_modules/.bin", cmd), args, { cwd: root, env });
    c.stdout?.on("data", (d) => (output += d));
    c.stderr?.on("data", (d) => (output += d));
    return c;
  };
  const web = spawnLogged("node", ["scripts/web-server.mjs", "--port", String(port)]);
  const worker = spawnLogged("tsx", ["workers/control.ts"]);
  await waitForHttp(`${baseUrl}/signin`, web, () => output);
  return {
    baseUrl,
    publicUrl: publicUrl ?? baseUrl,
    output: () => output,
    /** The processes' ids (benchmarks read their CPU time and memory from /proc). */
    pids: () => ({ web: web.pid, worker: worker.pid }),
    stop() {
      for (const c of [web, worker]) c.kill("SIGTERM");
    },
  };
}
