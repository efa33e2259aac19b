// Requests to the host's proxy (Caddy) with a Host header, which fetch cannot set. Each request opens its
// own connection unless given an agent: a route switch reloads Caddy's config, which closes idle
// keep-alive connections.
import http from "node:http";

export const PROXY_PORT = Number(process.env.BERTH_PROXY_HTTP_PORT || 80);

export function proxyGet(host: string, path = "/", agent: http.Agent | false = false): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: "127.0.0.1", port: PROXY_PORT, path, headers: { host }, timeout: 5_000, agent }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (d: string) => (body += d));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      res.on("error", reject);
    });
    req.on("timeout", () => req.destroy(new Error("no answer within 5 s")));
    // reusedSocket: the request went out on a kept-alive connection (a caller may retry it, as browsers do).
    req.on("error", (err) => reject(Object.assign(err, { reusedSocket: req.reusedSocket })));
    req.end();
  });
}

/** Requests `host` back to back until stopped; collects every failure (non-200 or error) and the bodies seen. */
export function probeLoop(host: string) {
  let running = true;
  const failures: string[] = [];
  const bodies = new Set<string>();
  let count = 0;
  const loop = (async () => {
    while (running) {
      try {
        const r = await proxyGet(host);
        if (r.status !== 200) failures.push(`${r.status} ${r.body.trim()}`);
        else bodies.add(r.body);
      } catch (e) {
        failures.push((e as Error).message);
      }
      count++;
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return { failures, bodies, count };
    },
  };
}
