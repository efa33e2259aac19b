// npm run bench:console — the live console's figures, measured against the real stack:
//   status_p50_ms / status_p95_ms  Docker state change (the engine's event time) → the push reaching a
//                                  browser-side SSE subscriber, over 40 docker CLI stop/start changes
//   action_ratio                   stop+start through Berth's API ÷ the same through the docker CLI,
//                                  medians of 7 runs each, in this run
//   agent_rss_mb                   the host agent's resident memory, idle, with 50 containers on its host
import { execFile, spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import Dockerode from "dockerode";
import { resolveTeamContext } from "@/lib/data/context";
import { createHost } from "@/lib/data/hosts";
import { createTeam } from "@/lib/data/teams";
import { signUp } from "@/lib/data/users";
import { ensureFixtureImage, FIXTURE_IMAGE, removeTestContainers, testLabelArgs } from "../tests/support/fixture-image";
import { startBerth } from "../tests/support/start-berth";
import { followLive, signIn } from "./support/client";

const run = promisify(execFile);
const docker = new Dockerode();
const TRIALS = 40;
const ACTION_RUNS = 7;
const IDLE_CONTAINERS = 50;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil((p / 100) * xs.length) - 1)]!;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function rssMb(pid: number): number {
  // Count the agent's whole process tree, in case it ever starts helpers.
  const children = (p: number): number[] =>
    fs.readdirSync(`/proc/${p}/task`).flatMap((t) => fs.readFileSync(`/proc/${p}/task/${t}/children`, "utf8").trim().split(/\s+/).filter(Boolean).map(Number));
  const tree = [pid];
  for (let i = 0; i < tree.length; i++) tree.push(...children(tree[i]!));
  const kb = tree.reduce((sum, p) => sum + Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${p}/status`, "utf8"))?.[1] ?? 0), 0);
  return kb / 1024;
}

async function main() {
  await ensureFixtureImage(docker);
  const berth = await startBerth();
  const stamp = Date.now().toString(36);
  const password = "bench-password-1";
  const user = await signUp({ name: "Bench", email: `bench-${stamp}@example.test`, password });
  const team = await createTeam(user, { name: `Bench ${stamp}` });
  const ctx = await resolveTeamContext(user, team.slug);
  const host = await createHost(ctx, { name: "bench-host" });
  const agent = spawn(process.execPath, [path.join(process.cwd(), "dist/agent.cjs")], {
    env: { ...process.env, BERTH_AGENT_URL: host.agentUrl },
    stdio: "ignore",
  });
  const cookie = await signIn(berth.baseUrl, user.email, password);

  try {
    // --- status latency ---------------------------------------------------------------------------
    const name = `bench-${stamp}`;
    // With an init process, busybox httpd exits at once on SIGTERM: a stop is the engine's work, not a timeout.
    const id = (await run("docker", ["run", "-d", "--init", "--name", name, ...testLabelArgs(), FIXTURE_IMAGE, "httpd", "-f", "-p", "8080"])).stdout.trim();
    const pushes: number[] = [];
    const unsubscribe = await followLive(berth.baseUrl, team.slug, cookie, (push, at) => push.kind === "containers" && pushes.push(at));
    const events: { action: string; at: number }[] = [];
    const evStream = (await docker.getEvents({ filters: { container: [id], event: ["start", "die"] } })) as NodeJS.ReadableStream;
    evStream.on("data", (chunk: Buffer) => {
      for (const line of chunk.toString().split("\n").filter(Boolean)) {
        const e = JSON.parse(line) as { Action: string; timeNano: number };
        events.push({ action: e.Action, at: e.timeNano / 1e6 });
      }
    });
    await sleep(3000); // let the agent's first snapshot and heartbeat pass
    const latencies: number[] = [];
    for (let i = 0; i < TRIALS; i++) {
      const action = i % 2 === 0 ? "stop" : "start";
      const seenEvents = events.length;
      pushes.length = 0;
      await run("docker", [action, name]);
      const until = Date.now() + 5000;
      while (Date.now() < until) {
        const ev = events.slice(seenEvents).find((e) => e.action === (action === "stop" ? "die" : "start"));
        const push = ev && pushes.find((p) => p >= ev.at);
        if (ev && push) {
          latencies.push(push - ev.at);
          break;
        }
        await sleep(5);
      }
      await sleep(300); // let the change settle before the next one
    }
    unsubscribe();
    (evStream as unknown as { destroy: () => void }).destroy();
    if (latencies.length < TRIALS) console.error(`warning: ${TRIALS - latencies.length} changes never reached the subscriber within 5 s`);

    // --- action ratio -------------------------------------------------------------------------------
    const api = `${berth.baseUrl}/api/v1/teams/${team.slug}/hosts/${host.id}/containers/${id}/actions`;
    const viaBerth = async (action: string) => {
      const res = await fetch(api, { method: "POST", headers: { cookie, "content-type": "application/json" }, body: JSON.stringify({ action }) });
      if (!res.ok) throw new Error(`${action}: ${res.status} ${await res.text()}`);
    };
    const timeCycle = async (fn: (a: string) => Promise<unknown>) => {
      const t = performance.now();
      await fn("stop");
      await fn("start");
      return performance.now() - t;
    };
    await timeCycle(viaBerth); // warm-up: first compile of the route, first QueueEvents connection
    await timeCycle((a) => run("docker", [a, name]));
    const berthRuns: number[] = [];
    const cliRuns: number[] = [];
    for (let i = 0; i < ACTION_RUNS; i++) {
      berthRuns.push(await timeCycle(viaBerth));
      cliRuns.push(await timeCycle((a) => run("docker", [a, name])));
    }

    // --- agent memory with 50 containers ------------------------------------------------------------
    for (let i = 0; i < IDLE_CONTAINERS; i++) {
      await run("docker", ["run", "-d", "--name", `${name}-idle-${i}`, ...testLabelArgs(), FIXTURE_IMAGE, "sleep", "3600"]);
    }
    await sleep(15_000); // events handled, a heartbeat or two, idle
    const rss = [rssMb(agent.pid!)];
    for (let i = 0; i < 4; i++) {
      await sleep(1000);
      rss.push(rssMb(agent.pid!));
    }

    console.log(`status_p50_ms=${median(latencies).toFixed(1)}`);
    console.log(`status_p95_ms=${pct(latencies, 95).toFixed(1)}`);
    console.log(`status_trials=${latencies.length}`);
    console.log(`berth_stop_start_median_ms=${median(berthRuns).toFixed(1)}`);
    console.log(`cli_stop_start_median_ms=${median(cliRuns).toFixed(1)}`);
    console.log(`action_ratio=${(median(berthRuns) / median(cliRuns)).toFixed(2)}`);
    console.log(`agent_rss_mb=${median(rss).toFixed(1)}`);
  } finally {
    agent.kill("SIGTERM");
    berth.stop();
    await removeTestContainers(docker);
  }
  process.exit(0);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
