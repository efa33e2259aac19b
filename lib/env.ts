// Server-side configuration, read once. scripts/load-env.mjs fills these in for Berth's own processes.
import { SLUG_PATTERN } from "@/lib/validation/fields";

function required(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: start Berth with \`npm start\` (or set ${name} yourself).`);
  return v;
}

export const env = {
  get databaseUrl() {
    return required("DATABASE_URL");
  },
  get redisUrl() {
    return process.env.REDIS_URL || "redis://127.0.0.1:6379";
  },
  get appUrl() {
    return (process.env.NEXTAUTH_URL || `http://localhost:${process.env.PORT || 3000}`).replace(/\/$/, "");
  },
  get sessionSecret() {
    return required("NEXTAUTH_SECRET");
  },
  /** The address other machines reach this Berth at (install commands, the registry's token realm). */
  get publicUrl() {
    return (process.env.BERTH_PUBLIC_URL || this.appUrl).replace(/\/$/, "");
  },
  /** The Redis address host agents connect to, over TLS (credentials are added per host). */
  get publicRedisUrl() {
    const u = new URL(process.env.BERTH_PUBLIC_REDIS_URL || `rediss://${new URL(this.publicUrl).hostname}:${process.env.BERTH_REDIS_TLS_PORT || 6380}`);
    u.username = "";
    u.password = "";
    return u.toString();
  },
  /** Berth's built-in registry as hosts address it (`host:port`, TLS under Berth's CA). */
  get publicRegistry() {
    return process.env.BERTH_PUBLIC_REGISTRY || `${new URL(this.publicUrl).hostname}:${process.env.BERTH_REGISTRY_PORT || 5000}`;
  },
  /** The private CA that signs Redis's and the registry's certificates (PEM file; agents pin it). */
  get caFile() {
    return process.env.BERTH_CA_FILE || `${process.cwd()}/.berth/tls/ca.crt`;
  },
  /** How long a host may stay silent before it is shown offline. */
  get hostOfflineAfterMs() {
    return Number(process.env.BERTH_HOST_OFFLINE_AFTER_MS || 12_000);
  },
  /**
   * How long one minute of a crash-loop window lasts (rules count restarts in whole minutes). Tests shorten it so
   * a container can run "a whole window" in seconds; never set in production.
   */
  get crashWindowMinuteMs() {
    return Number(process.env.BERTH_CRASH_WINDOW_MINUTE_MS || 60_000);
  },
  /** Tests clone local fixture repositories (file://); never set in production. */
  get allowLocalGit() {
    return process.env.BERTH_ALLOW_LOCAL_GIT === "1";
  },
  /** The port the hosts' proxies serve services on (service URLs name it unless it is 80). */
  get proxyHttpPort() {
    return Number(process.env.BERTH_PROXY_HTTP_PORT || 80);
  },
  /**
   * Which team this machine's Docker joins (BERTH_LOCAL_HOST): `first-team`, the team with a given slug once
   * it exists, or none (unset or `off`: the instance owner attaches it on the instance page).
   */
  get localHost(): LocalHostSetting {
    return parseLocalHost(process.env.BERTH_LOCAL_HOST);
  },
  /** Namespaces BullMQ keys, so test runs never share queues with a running Berth. */
  get queuePrefix() {
    return process.env.BERTH_QUEUE_PREFIX || "bull";
  },
};

export type LocalHostSetting = { mode: "off" } | { mode: "first-team" } | { mode: "team"; slug: string };

export function parseLocalHost(raw: string | undefined): LocalHostSetting {
  const v = (raw ?? "").trim();
  if (v === "" || v === "off") return { mode: "off" };
  if (v === "first-team") return { mode: "first-team" };
  if (SLUG_PATTERN.test(v)) return { mode: "team", slug: v };
  throw new Error(`BERTH_LOCAL_HOST is "${raw}": use first-team, off, or a team's URL name (lowercase letters, digits and dashes).`);
}
