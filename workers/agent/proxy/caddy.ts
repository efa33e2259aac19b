// The host's reverse proxy: Caddy, driven only through its JSON admin API (no Caddyfile). Berth owns one
// server, `apps.http.servers.berth`, whose routes are `berth-<id>` (one per exposed service) followed by a
// catch-all that answers 404. scripts/setup.sh starts Caddy; BERTH_CADDY_ADMIN points at a user's own.
//
// Behaviour of Caddy 2.6.2 this relies on (checked by hand and by tests/integration/proxy-caddy.test.ts):
// - PUT /config/<path> creates missing parent objects, and fails ("key already exists") if the key is set.
// - PUT on an array element (here /id/berth_fallback, the catch-all) inserts before that element.
// - PATCH /id/<id> replaces that route in one config load: a request is served by the old route or the new
//   one, never by neither. But every config load re-binds Caddy's ports (SO_REUSEPORT: the new socket opens,
//   the old one closes) and shuts the old server down gracefully, so (measured, 20 switches under load):
//   - connections still queued on the old socket are reset unless the kernel migrates them to the new one:
//     scripts/setup.sh sets net.ipv4.tcp_migrate_req=1 (Linux >= 5.14), which brought resets down to zero;
//   - an idle keep-alive connection is closed, and a request the client sends on it at that instant is
//     reset before any answer (about one per switch). Browsers and curl retry such a request on a new
//     connection; Node's http module leaves that to the caller (see `req.reusedSocket` in its docs).
//   - admin requests: one failed once in testing with "fetch failed" (when they used fetch) (not reproduced in 40 PATCHes in a row;
//     newer Caddy versions re-open the admin endpoint after every load), so they say Connection: close and
//     an operation whose connection failed is run again from its start.
// - Caddy does NOT refuse two routes with the same @id; creating routes is therefore serialised in this
//   process (one agent per host is the only writer of Berth's routes).
// - Each route names the host whose agent made it, in a `vars` handler before its reverse_proxy (it only sets
//   a request variable): the convergence pass removes routes of services gone from its host, and must know
//   which routes are its own when several agents share one Caddy (tests, or two Berths on one machine).
import http from "node:http";
import net from "node:net";

/** `owner`: the host whose agent made the route (null: made before routes named their host, or by a test). */
export type ProxyRoute = { id: string; hosts: string[]; upstream: string; owner: string | null };

export type ReverseProxy = {
  /** Creates route `berth-<id>` or replaces it atomically (one admin request). `unless` is asked right before
   * the write, after the writes queued before it: true skips it (a deployment took the service over meanwhile). */
  setRoute(id: string, hosts: string[], upstream: string, opts?: { unless?: () => boolean }): Promise<void>;
  /** Removes route `berth-<id>`; nothing happens if there is none. */
  removeRoute(id: string): Promise<void>;
  getRoute(id: string): Promise<{ hosts: string[]; upstream: string; owner: string | null } | null>;
  /** Berth's routes only (not the catch-all, not other servers' routes). */
  listRoutes(): Promise<ProxyRoute[]>;
};

const SERVER = "/config/apps/http/servers/berth";
// The underscore keeps it apart from every `berth-<id>` (ids are [a-z0-9-]).
const FALLBACK_ID = "berth_fallback";
const FALLBACK = {
  "@id": FALLBACK_ID,
  handle: [
    {
      handler: "static_response",
      status_code: 404,
      headers: { "Content-Type": ["text/plain; charset=utf-8"] },
      body: "No Berth service answers at this address.\n",
    },
  ],
  terminal: true,
};
const TIMEOUT_MS = 10_000;

type CaddyRoute = {
  "@id"?: string;
  match?: { host?: string[] }[];
  handle?: { handler?: string; upstreams?: { dial?: string }[]; berth_host?: string }[];
};

/** An error answered by the admin API itself (as opposed to no answer at all). */
class CaddyAdminError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

/** No answer at all: connection refused, or reset while Caddy re-opened its admin endpoint. */
class CaddyUnreachable extends Error {}

const ATTEMPTS = 4;

/** Runs `fn` again (a few times, briefly apart) when Caddy did not answer; every caller may be repeated. */
async function retrying<T>(fn: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (!(err instanceof CaddyUnreachable) || attempt >= ATTEMPTS) throw err;
      await new Promise((r) => setTimeout(r, 100 * attempt));
    }
  }
}

// Mutations per admin URL, one at a time, shared by every proxy object in this process.
const queues = new Map<string, Promise<unknown>>();

/** `owner`: this agent's host id, written into every route it sets. `prepare`: makes sure Caddy runs, before
 * Berth's server is made (again): the agent image starts its Caddy container so (proxy-container.ts). */
export function createProxy(opts: { adminUrl?: string; httpPort?: number; owner?: string; prepare?: () => Promise<void> } = {}): ReverseProxy {
  const adminUrl = (opts.adminUrl ?? process.env.BERTH_CADDY_ADMIN ?? "http://127.0.0.1:2019").replace(/\/+$/, "");
  const httpPort = opts.httpPort ?? Number(process.env.BERTH_PROXY_HTTP_PORT || 80);
  if (!Number.isInteger(httpPort) || httpPort < 1 || httpPort > 65535) throw new Error(`Invalid proxy HTTP port: ${httpPort}`);
  // Serving only plain HTTP: Caddy's automatic HTTPS is switched off. On :80 Caddy already skips it
  // ("listening only on the HTTP port"), but on any other port it would turn the server into HTTPS (self-signed
  // certificates for *.localhost, even installing its root CA in the system trust) and redirect :80 to it.
  // BERTH_PROXY_HTTPS=1 is for public custom domains: the server also listens on :443 and automatic HTTPS
  // (ACME certificates, HTTP->HTTPS redirects) stays on. That mode is untested here (no public DNS or ACME).
  const https = process.env.BERTH_PROXY_HTTPS === "1";
  const server = {
    listen: https ? [`:${httpPort}`, ":443"] : [`:${httpPort}`],
    ...(https ? {} : { automatic_https: { disable: true } }),
    routes: [FALLBACK],
  };

  // node:http rather than fetch: fetch loads undici, about 10 MB more resident memory for the agent.
  function send(method: string, path: string, body?: unknown): Promise<{ status: number; text: string }> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const req = http.request(
        adminUrl + path,
        {
          method,
          agent: false, // a fresh connection per request: Caddy closes pooled ones after each config load
          timeout: TIMEOUT_MS,
          headers: {
            Connection: "close",
            ...(payload === undefined ? {} : { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(payload) }),
          },
        },
        (res) => {
          let text = "";
          res.setEncoding("utf8");
          res.on("data", (d: string) => (text += d));
          res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
          res.on("error", reject);
        },
      );
      req.on("timeout", () => req.destroy(Object.assign(new Error("timeout"), { name: "TimeoutError" })));
      req.on("error", reject);
      req.end(payload);
    });
  }

  async function admin(method: string, path: string, body?: unknown): Promise<unknown> {
    let res: { status: number; text: string };
    try {
      res = await send(method, path, body);
    } catch (err) {
      if ((err as Error).name === "TimeoutError") throw new Error(`Caddy's admin API at ${adminUrl} did not answer within ${TIMEOUT_MS} ms`);
      if (opts.prepare) ready = null; // Caddy may be gone: the next operation makes sure it runs again
      throw new CaddyUnreachable(`Caddy's admin API at ${adminUrl} does not answer: is Caddy running? (scripts/setup.sh starts it)`, {
        cause: err,
      });
    }
    const text = res.text;
    if (res.status < 200 || res.status >= 300) {
      let message = text.trim();
      try {
        message = (JSON.parse(text) as { error?: string }).error ?? message;
      } catch {
        // not JSON: keep the text
      }
      throw new CaddyAdminError(`Caddy refused ${method} ${path}: ${message || `HTTP ${res.status}`}`, res.status);
    }
    return text.trim() ? JSON.parse(text) : null;
  }

  // The server, created once per proxy object; concurrent callers share one attempt, a failed one is retried.
  let ready: Promise<void> | null = null;
  const ensureServer = () =>
    (ready ??= createServer().catch((err) => {
      ready = null;
      throw err;
    }));

  async function createServer(): Promise<void> {
    await opts.prepare?.();
    try {
      await admin("PUT", SERVER, server); // also creates apps.http.servers if missing
      return;
    } catch (err) {
      // Already there (an earlier run, or another process winning the race): align it with our settings.
      if (!(err instanceof CaddyAdminError && /already exists/.test(err.message))) throw err;
    }
    const current = (await admin("GET", SERVER)) as { listen?: string[]; automatic_https?: unknown; routes?: CaddyRoute[] };
    if (JSON.stringify(current.listen) !== JSON.stringify(server.listen)) await admin("PATCH", `${SERVER}/listen`, server.listen);
    if (!https && JSON.stringify(current.automatic_https) !== JSON.stringify(server.automatic_https)) {
      await admin("POST", `${SERVER}/automatic_https`, server.automatic_https); // POST on an object key sets it
    } else if (https && current.automatic_https !== undefined) {
      await admin("DELETE", `${SERVER}/automatic_https`);
    }
    if (!current.routes?.some((r) => r["@id"] === FALLBACK_ID)) await admin("POST", `${SERVER}/routes`, FALLBACK); // appends
  }

  function serialized<T>(fn: () => Promise<T>): Promise<T> {
    const run = (queues.get(adminUrl) ?? Promise.resolve()).then(fn, fn);
    queues.set(
      adminUrl,
      run.catch(() => undefined),
    );
    return run;
  }

  const notFound = (err: unknown) => err instanceof CaddyAdminError && err.status === 404;

  /** Replaces route `berth-<id>` in place, or inserts it before the catch-all. Safe to repeat: if an insert
   * took effect but its answer was lost, the repeat finds the route and replaces it. */
  async function upsert(route: { "@id": string }): Promise<void> {
    await ensureServer();
    try {
      await admin("PATCH", `/id/${route["@id"]}`, route); // one config load: atomic
      return;
    } catch (err) {
      if (!notFound(err)) throw err;
    }
    try {
      await admin("PUT", `/id/${FALLBACK_ID}`, route); // PUT on an array element inserts before it
    } catch (err) {
      if (!notFound(err)) throw err;
      // The catch-all is gone (Caddy restarted without --resume, or someone loaded another config): recreate.
      ready = null;
      await ensureServer();
      await admin("PUT", `/id/${FALLBACK_ID}`, route);
    }
  }

  return {
    async setRoute(id, hosts, upstream, { unless } = {}) {
      checkId(id);
      if (!Array.isArray(hosts) || hosts.length === 0) throw new Error("A route needs at least one hostname");
      hosts.forEach(checkHostname);
      checkUpstream(upstream);
      const route = {
        "@id": `berth-${id}`,
        match: [{ host: hosts }],
        handle: [...(opts.owner ? [{ handler: "vars", berth_host: opts.owner }] : []), { handler: "reverse_proxy", upstreams: [{ dial: upstream }] }],
        terminal: true,
      };
      await serialized(async () => {
        if (!unless?.()) await retrying(() => upsert(route));
      });
    },

    async removeRoute(id) {
      checkId(id);
      await serialized(() =>
        retrying(() =>
          admin("DELETE", `/id/berth-${id}`).catch((err) => {
            if (!notFound(err)) throw err;
          }),
        ),
      );
    },

    async getRoute(id) {
      checkId(id);
      const route = (await retrying(async () => {
        await ensureServer();
        return admin("GET", `/id/berth-${id}`).catch((err) => {
          if (notFound(err)) return null;
          throw err;
        });
      })) as CaddyRoute | null;
      return route ? summarize(route) : null;
    },

    async listRoutes() {
      const read = () =>
        retrying(async () => {
          await ensureServer();
          return admin("GET", `${SERVER}/routes`);
        });
      const routes = ((await read().catch(async (err) => {
        // Caddy lost Berth's server since it was made here (restarted without --resume, or another config
        // loaded): make it again. It has no routes then; the convergence pass sets them.
        if (!(err instanceof CaddyAdminError && (err.status === 404 || /invalid traversal path/.test(err.message)))) throw err;
        ready = null;
        return read();
      })) ?? []) as CaddyRoute[];
      return routes.filter((r) => r["@id"]?.startsWith("berth-")).map((r) => ({ id: r["@id"]!.slice("berth-".length), ...summarize(r) }));
    },
  };
}

function summarize(route: CaddyRoute): { hosts: string[]; upstream: string; owner: string | null } {
  const proxy = route.handle?.find((h) => h.handler === "reverse_proxy" || h.upstreams);
  const owner = route.handle?.find((h) => h.handler === "vars")?.berth_host;
  return { hosts: route.match?.[0]?.host ?? [], upstream: proxy?.upstreams?.[0]?.dial ?? "", owner: typeof owner === "string" ? owner : null };
}

function checkId(id: string): void {
  if (typeof id !== "string" || !/^[a-z0-9-]+$/.test(id)) {
    throw new Error(`Invalid route id ${JSON.stringify(id)}: use lowercase letters, digits and dashes`);
  }
}

function checkHostname(host: string): void {
  const ok =
    typeof host === "string" &&
    host.length <= 253 &&
    /^[a-z0-9.-]+$/.test(host) &&
    host.split(".").every((label) => label.length >= 1 && label.length <= 63 && !label.startsWith("-") && !label.endsWith("-"));
  if (!ok) {
    throw new Error(
      `Invalid hostname ${JSON.stringify(host)}: use lowercase letters, digits, dots and dashes (labels of 1-63 characters, ` +
        `not starting or ending with a dash), at most 253 characters, e.g. app.example.com`,
    );
  }
}

function checkUpstream(upstream: string): void {
  const m = typeof upstream === "string" ? /^(?:\[([0-9a-f:.]+)\]|([0-9.]+)):(\d{1,5})$/i.exec(upstream) : null;
  const ok = m && (m[1] ? net.isIPv6(m[1]) : net.isIPv4(m[2])) && Number(m[3]) >= 1 && Number(m[3]) <= 65535;
  if (!ok) throw new Error(`Invalid upstream ${JSON.stringify(upstream)}: expected ip:port, e.g. 172.18.0.2:8080`);
}
