// The benchmarks' baseline probe: one plain GET to a container's own address, no proxy and no keep-alive.
import http from "node:http";

/** One GET to a container's address; the status and body, or null when nothing answers yet. */
export function getDirect(ip: string, port: number): Promise<{ status: number; body: string } | null> {
  return new Promise((resolve) => {
    const req = http.request({ host: ip, port, path: "/", timeout: 2000, agent: false }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (d: string) => (body += d));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      res.on("error", () => resolve(null));
    });
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", () => resolve(null));
    req.end();
  });
}
