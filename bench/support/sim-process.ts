// A child process running a slice of the simulated hosts (bench/scale.ts forks two), so that their CPU is not
// counted as the control plane's. Told over IPC which hosts to run; sends back, in batches, every container
// change it reported (for the push latency), and how many hosts it runs.
import type { EnrollmentCredentials } from "@/lib/hosts/enrollment";
import { type SimEvent, type SimHost, startSimHost } from "./sim-host";

export type SimCommand =
  | { type: "hosts"; hosts: { creds: EnrollmentCredentials; containers: number }[] }
  /** The share of each host's containers that changes state per minute (0.01: 1 %). */
  | { type: "rate"; perMinute: number }
  | { type: "stop" };
export type SimMessage = { type: "events"; events: SimEvent[] } | { type: "started"; hosts: number } | { type: "stopped" };

const TICK_MS = 250;
const STAGGER = 25; // hosts started per 100 ms: TLS handshakes spread out

const hosts: SimHost[] = [];
const events: SimEvent[] = [];
let rate = 0;
let problems = 0;
const send = (m: SimMessage) => process.send?.(m);
const log = (m: string) => {
  if (problems++ < 50) console.error(`sim[${process.pid}] ${m}`);
};

async function add(list: Extract<SimCommand, { type: "hosts" }>["hosts"]) {
  for (let i = 0; i < list.length; i += STAGGER) {
    for (const h of list.slice(i, i + STAGGER)) hosts.push(startSimHost(h.creds, { containers: h.containers, log, onEvent: (e) => events.push(e) }));
    await new Promise((r) => setTimeout(r, 100));
  }
  send({ type: "started", hosts: hosts.length });
}

// Each tick, each host changes one container with the probability that gives `rate` of its containers a minute.
const ticker = setInterval(() => {
  if (!rate) return;
  for (const h of hosts) if (Math.random() < (h.containerCount() * rate * TICK_MS) / 60_000) h.flip();
}, TICK_MS);
const flusher = setInterval(() => {
  if (events.length) send({ type: "events", events: events.splice(0) });
}, 100);

async function stop() {
  clearInterval(ticker);
  clearInterval(flusher);
  await Promise.all(hosts.map((h) => h.stop()));
  send({ type: "stopped" });
  process.exit(0);
}

process.on("message", (m: SimCommand) => {
  if (m.type === "hosts") void add(m.hosts);
  else if (m.type === "rate") rate = m.perMinute;
  else if (m.type === "stop") void stop();
});
process.on("disconnect", () => void stop()); // the bench ended without a word: go too
process.on("SIGTERM", () => void stop());
process.on("SIGINT", () => {}); // Ctrl-C reaches the whole group: the bench tells this process when to go
