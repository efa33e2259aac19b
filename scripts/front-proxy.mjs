// The front for several web processes: a server of its own, `apps.http.servers.berth_front`, in the Caddy that
// setup runs (admin API BERTH_CADDY_ADMIN, default http://127.0.0.1:2019), listening on Berth's PORT and
// spreading requests over the web processes. The host agent touches only its server `berth`
// (workers/agent/proxy/caddy.ts), so its reconcile never removes this one; `npm start` makes it on every
// start and checks it every 30 s (Caddy restarted without its autosaved config loses it).
// - flush_interval -1: server-sent events (the live channel, deployment logs) stream through unbuffered;
// - an upstream that refuses connections is skipped for 10 s and the request tried on another (only a dial
//   failure is retried: nothing of the request reached it), and each is probed every 2 s (/_berth/up);
// - Caddy sets X-Forwarded-For/-Proto/-Host, which the web processes trust from loopback
//   (BERTH_TRUSTED_PROXIES); proxies the user trusts in front of Caddy are Caddy's trusted proxies too.
import http from "node:http";

export const FRONT_SERVER = "berth_front";
export const UP_PATH = "/_berth/up";

/**
 * The server's configuration. `listen`: Berth's port; `upstreams`: the web processes' `host:port`;
 * `trustedProxies`: BERTH_TRUSTED_PROXIES' addresses and blocks (proxies in front of this one).
 * @param {{ listen: number, upstreams: string[], trustedProxies?: string }} o
 */
export function frontServer({ listen, upstreams, trustedProxies }) {
  if (!Number.isInteger(listen) || listen < 1 || listen > 65535) throw new Error(`Invalid front port: ${listen}`);
  if (upstreams.length === 0) throw new Error("The front needs at least one web process");
  const ranges = (trustedProxies ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => (s.includes("/") ? s : `${s}/${s.includes(":") ? 128 : 32}`));
  return {
    listen: [`:${listen}`],
    automatic_https: { disable: true },
    ...(ranges.length && { trusted_proxies: { source: "static", ranges } }),
    routes: [
      {
        handle: [
          {
            handler: "reverse_proxy",
            upstreams: upstreams.map((dial) => ({ dial })),
            flush_interval: -1,
            load_balancing: { selection_policy: { policy: "round_robin" }, try_duration: "5s", try_interval: "250ms" },
            health_checks: {
              active: { uri: UP_PATH, interval: "2s", timeout: "2s" },
              passive: { fail_duration: "10s", max_fails: 1 },
            },
          },
        ],
        terminal: true,
      },
    ],
  };
}

/** @param {string} adminUrl @param {string} method @param {string} path @param {unknown} [body] */
function admin(adminUrl, method, path, body) {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = http.request(
      adminUrl + path,
      {
        method,
        agent: false,
        timeout: 10_000,
        headers: { Connection: "close", ...(payload !== undefined && { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(payload) }) },
      },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (d) => (text += d));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    req.on("timeout", () => req.destroy(new Error(`Caddy's admin API at ${adminUrl} did not answer within 10 s`)));
    req.on("error", (e) =>
      reject(new Error(`Caddy's admin API at ${adminUrl} does not answer (${e.message}): is Caddy running? (scripts/setup.sh starts it)`)),
    );
    req.end(payload);
  });
}

/**
 * Makes the front server what `config` says, unless it already is. Returns whether it had to be written.
 * @param {ReturnType<typeof frontServer>} config
 * @param {{ adminUrl?: string, name?: string }} [o] `name`: the server's (tests run fronts of their own)
 */
export async function ensureFront(config, { adminUrl = process.env.BERTH_CADDY_ADMIN || "http://127.0.0.1:2019", name = FRONT_SERVER } = {}) {
  const base = adminUrl.replace(/\/+$/, "");
  const path = `/config/apps/http/servers/${name}`;
  const current = await admin(base, "GET", path);
  if (current.status === 200 && sameJson(JSON.parse(current.text || "null"), config)) return false;
  // PUT creates it (and apps.http.servers if missing) but refuses an existing key; PATCH replaces one.
  const res = await admin(base, current.status === 200 && current.text.trim() !== "null" ? "PATCH" : "PUT", path, config);
  if (res.status < 200 || res.status >= 300) throw new Error(`Caddy refused Berth's front server: ${res.text.trim() || `HTTP ${res.status}`}`);
  return true;
}

/**
 * Removes the front server (back to one web process on PORT).
 * @param {{ adminUrl?: string, name?: string }} [o]
 */
export async function removeFront({ adminUrl = process.env.BERTH_CADDY_ADMIN || "http://127.0.0.1:2019", name = FRONT_SERVER } = {}) {
  const res = await admin(adminUrl.replace(/\/+$/, ""), "DELETE", `/config/apps/http/servers/${name}`);
  if (res.status >= 300 && res.status !== 404 && !/invalid traversal|not found/i.test(res.text)) {
    throw new Error(`Caddy refused to remove Berth's front server: ${res.text.trim()}`);
  }
}

/** Caddy answers the config back with keys in its own order: compare as sorted JSON. */
function sameJson(a, b) {
  const norm = (v) =>
    Array.isArray(v)
      ? v.map(norm)
      : v && typeof v === "object"
        ? Object.fromEntries(
            Object.keys(v)
              .sort()
              .map((k) => [k, norm(v[k])]),
          )
        : v;
  return JSON.stringify(norm(a)) === JSON.stringify(norm(b));
}
