// After a deploy or a rollback: print where to follow the new deployment, or (--wait) follow it here: each
// step as it starts, the log lines, the outcome. The log is the deployment's SSE stream; when it closes
// before its `end` event (a time limit, a proxy) it is opened again from the last line's cursor.
import { ACTIVE_ORDER } from "@/lib/deploy/states";
import type { Api } from "./api-client";
import { EXIT } from "./errors";
import { Progress } from "./progress";
import { followSse } from "./sse";
import { cleanLine } from "./text";

export type Created = { id: string; number: number };
export type Outcome = { status: string; error: string | null };

const RETRIES = 5;

type Options = { wait?: boolean; json?: boolean };

/** Reports a deployment just made; returns the exit code (with --wait: 0 when it went live, 1 otherwise). */
export async function reportDeployment(api: Api, created: Created, headline: string, o: Options): Promise<number> {
  const url = await api.pageUrl("deployments", created.id);
  if (!o.wait) {
    if (o.json) console.log(JSON.stringify({ id: created.id, number: created.number, url }));
    else console.log(`${headline}: deployment #${created.number} (${created.id})\n${url}`);
    return EXIT.ok;
  }
  // With --json, stdout carries only the final JSON; the steps and the log go to stderr.
  const to = o.json ? process.stderr : process.stdout;
  const progress = new Progress();
  progress.line(`${headline}: deployment #${created.number}\n${url}`, to);
  const stopWatching = () => {
    progress.stop();
    process.stderr.write(`\nStopped watching. Deployment #${created.number} keeps running: ${url}\n`);
    process.exit(EXIT.interrupted);
  };
  process.once("SIGINT", stopWatching);
  try {
    const outcome = await followDeployment(api, created, { progress, to, url });
    const live = outcome.status === "LIVE";
    progress.line(`${live ? "✓" : "✗"} #${created.number} ${outcome.status}${outcome.error ? `: ${cleanLine(outcome.error, false)}` : ""}`, to);
    if (o.json) console.log(JSON.stringify({ id: created.id, number: created.number, status: outcome.status, error: outcome.error, url }));
    return live ? EXIT.ok : EXIT.failed;
  } finally {
    process.off("SIGINT", stopWatching);
    progress.stop();
  }
}

/** Prints the deployment's steps and log until it ends; returns its outcome. */
export async function followDeployment(api: Api, d: Created, o: { progress: Progress; to: NodeJS.WriteStream; url: string }): Promise<Outcome> {
  const base = await api.teamPath("deployments", d.id, "log");
  const color = Boolean(o.to.isTTY) && !process.env.NO_COLOR;
  let after: string | null = null; // the last line's cursor: a new stream resumes after it
  let outcome: Outcome | null = null;
  const steps = stepPrinter(api, d, o.progress, o.to);
  o.progress.start("Waiting for the log");
  await followSse(
    () => api.stream(after ? `${base}?after=${encodeURIComponent(after)}` : base),
    async (ev) => {
      if (ev.id) after = ev.id;
      if (ev.event === "message") o.progress.line(cleanLine(String(parse(ev.data)), color), o.to);
      else if (ev.event === "status") await steps((parse(ev.data) as Outcome).status);
      else if (ev.event === "end") {
        await steps(null);
        outcome = parse(ev.data) as Outcome;
      }
      return outcome !== null;
    },
    { what: `The log of deployment #${d.number} (follow it at ${o.url})`, retries: RETRIES },
  );
  return outcome!;
}

/**
 * Prints `▸ STEP` once for each step the deployment has started. The stream reports the status it sees
 * each time it re-reads the deployment, so a quick step (a clone, a health check) can fall between two
 * reports: the deployment's timed steps fill those in. The terminal status is the outcome, printed by the caller.
 */
function stepPrinter(api: Api, d: Created, progress: Progress, to: NodeJS.WriteStream) {
  const printed = new Set<string>();
  const active = (s: string) => (ACTIVE_ORDER as readonly string[]).includes(s);
  return async (current: string | null) => {
    if (current !== null && (printed.has(current) || !active(current))) return;
    let started: string[] = [];
    try {
      const detail = await api.json<{ timed: { status: string }[] }>("GET", await api.teamPath("deployments", d.id));
      started = detail.timed.map((t) => t.status);
    } catch {
      // Only the steps' headings are missing then; the stream goes on.
    }
    if (current !== null && !started.includes(current)) started.push(current);
    const fresh = started.filter((s) => active(s) && !printed.has(s));
    if (!fresh.length) return;
    progress.stop();
    for (const s of fresh) {
      printed.add(s);
      progress.line(`▸ ${s}`, to);
    }
    if (current !== null) progress.start(current, { timed: true });
  };
}

/** An event's JSON data (the raw text if it is not JSON). */
function parse(data: string): unknown {
  try {
    return JSON.parse(data);
  } catch {
    return data;
  }
}
