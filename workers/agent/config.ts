// How an agent learns who it is. Two ways:
// - a process beside Berth (`npm start`'s local agent, tests): one URL with its own Redis user and password and
//   the queue prefix, BERTH_AGENT_URL=redis://host-<id>:<password>@<redis-host>:6379/?prefix=bull;
// - in the agent image (BERTH_AGENT_IMAGE=1): the credentials it received at enrollment, kept in its volume
//   (/var/lib/berth-agent/credentials.json, mode 0600), or, on its first start, traded for its one-time token.
// `password` is also the host's registry login; `ca` (PEM) is pinned for rediss:// and the registry when the
// agent was enrolled (lib/hosts/enrollment.ts); `berthUrl` is where it enrolled, asked whether it still exists.
import fs from "node:fs";
import path from "node:path";
import { type EnrollmentCredentials, enrollmentCredentials } from "@/lib/hosts/enrollment";
import { enroll } from "./enroll";

export type AgentConfig = {
  hostId: string;
  redisUrl: string;
  prefix: string;
  password: string;
  ca?: string;
  berthUrl?: string;
  /** Berth's registry as `host:port` (enrolled agents). */
  registry?: string;
};

export function parseAgentUrl(raw: string | undefined): AgentConfig {
  if (!raw) throw new Error("BERTH_AGENT_URL is not set: copy the command from the host's page in Berth.");
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new Error("BERTH_AGENT_URL is not a valid URL.");
  }
  if (u.protocol !== "redis:" && u.protocol !== "rediss:") throw new Error("BERTH_AGENT_URL must be a redis:// or rediss:// URL.");
  const m = /^host-([a-z0-9]{8,40})$/.exec(decodeURIComponent(u.username));
  if (!m || !u.password) throw new Error("BERTH_AGENT_URL must carry the host's user (host-…) and password.");
  const prefix = u.searchParams.get("prefix") || "bull";
  if (!/^[A-Za-z0-9_.-]{1,64}$/.test(prefix)) throw new Error("BERTH_AGENT_URL has an invalid prefix.");
  u.search = "";
  return { hostId: m[1]!, redisUrl: u.toString(), prefix, password: decodeURIComponent(u.password) };
}

type Env = Record<string, string | undefined>;

/** Whether this process is the agent inside Berth's agent image (the image sets it). */
export function inAgentImage(env: Env = process.env): boolean {
  return env.BERTH_AGENT_IMAGE === "1";
}

/** BERTH_AGENT_HOME moves it in tests. */
export function credentialsFile(env: Env = process.env): string {
  return path.join(env.BERTH_AGENT_HOME || "/var/lib/berth-agent", "credentials.json");
}

export function configFromCredentials(c: EnrollmentCredentials): AgentConfig {
  let login: AgentConfig;
  try {
    login = parseAgentUrl(c.redisUrl);
  } catch (e) {
    throw new Error(`The Redis address Berth gave at enrollment is unusable: ${(e as Error).message.replace(/^BERTH_AGENT_URL /, "it ")}`);
  }
  if (login.hostId !== c.hostId) throw new Error(`The credentials are for host ${c.hostId} but log in as host-${login.hostId}.`);
  return { ...login, ca: c.ca, berthUrl: c.berthUrl, registry: c.registry };
}

/** The agent image's configuration: saved credentials, or enrollment with BERTH_ENROLL_TOKEN at BERTH_URL (then saved). */
export async function imageAgentConfig(env: Env = process.env): Promise<AgentConfig> {
  const file = credentialsFile(env);
  const saved = readCredentials(file);
  if (saved) return configFromCredentials(saved);
  const token = env.BERTH_ENROLL_TOKEN;
  const berthUrl = env.BERTH_URL;
  if (!token || !berthUrl) {
    throw new Error(
      `This agent is not enrolled: it has no credentials (${file}) and no BERTH_ENROLL_TOKEN and BERTH_URL to enroll with. ` +
        "Run the install command from the Hosts page in Berth.",
    );
  }
  const credentials = await enroll(berthUrl, token);
  saveCredentials(file, credentials);
  return configFromCredentials(credentials);
}

function readCredentials(file: string): EnrollmentCredentials | null {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw new Error(`Cannot read the agent's credentials (${file}): ${(e as Error).message}`);
  }
  let json: unknown = null;
  try {
    json = JSON.parse(text);
  } catch {
    // damaged: said below
  }
  const parsed = enrollmentCredentials.safeParse(json);
  if (!parsed.success)
    throw new Error(`The agent's credentials (${file}) are damaged: remove this agent and run a new install command from Berth's Hosts page.`);
  return parsed.data;
}

/** Written whole (a temporary file renamed over it), readable by root alone. */
function saveCredentials(file: string, c: EnrollmentCredentials): void {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, `${JSON.stringify(c, null, 2)}\n`, { mode: 0o600 });
  fs.renameSync(tmp, file);
}
