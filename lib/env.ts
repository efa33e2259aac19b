// Server-side configuration, read once. scripts/load-env.mjs fills these in for Berth's own processes.
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
  /** The Redis address host agents on other machines connect to (credentials are added per host). */
  get publicRedisUrl() {
    const u = new URL(process.env.BERTH_PUBLIC_REDIS_URL || this.redisUrl);
    u.username = "";
    u.password = "";
    return u.toString();
  },
  /** How long a host may stay silent before it is shown offline. */
  get hostOfflineAfterMs() {
    return Number(process.env.BERTH_HOST_OFFLINE_AFTER_MS || 15_000);
  },
  /** Tests clone local fixture repositories (file://); never set in production. */
  get allowLocalGit() {
    return process.env.BERTH_ALLOW_LOCAL_GIT === "1";
  },
  /** The port the hosts' proxies serve services on (service URLs name it unless it is 80). */
  get proxyHttpPort() {
    return Number(process.env.BERTH_PROXY_HTTP_PORT || 80);
  },
  /** Namespaces BullMQ keys, so test runs never share queues with a running Berth. */
  get queuePrefix() {
    return process.env.BERTH_QUEUE_PREFIX || "bull";
  },
};
