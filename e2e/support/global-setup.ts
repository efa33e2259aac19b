// Starts Berth (the built web app and the control worker) on a free port for the browser tests, with
// the test database and a queue prefix of its own, and stops both afterwards.
import { spawn, type ChildProcess } from "node:child_process";
import net from "node:net";
import path from "node:path";
import type { TestProject } from "vitest/node";

declare module "vitest" {
  export interface ProvidedContext {
    baseUrl: string;
  }
}

function freePort(): Promise<number> {
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

export default async function setup(project: TestProject) {
  const root = process.cwd();
  const port = await freePort();
  const baseUrl = `http://localhost:${port}`;
  const env = { ...process.env, PORT: String(port), NEXTAUTH_URL: baseUrl, NODE_ENV: "production" as const };
  let output = "";
  const collect = (c: ChildProcess) => {
    c.stdout?.on("data", (d) => (output += d));
    c.stderr?.on("data", (d) => (output += d));
  };
  const web = spawn(path.join(root, "node_modules/.bin/next"), ["start", "--port", String(port)], { cwd: root, env });
  const worker = spawn(path.join(root, "node_modules/.bin/tsx"), ["workers/control.ts"], { cwd: root, env });
  collect(web);
  collect(worker);
  await waitForHttp(`${baseUrl}/signin`, web, () => output);
  project.provide("baseUrl", baseUrl);
  return async () => {
    for (const c of [web, worker]) c.kill("SIGTERM");
    if (process.env.BERTH_E2E_LOG) console.log(output);
  };
}
