// The part of Berth's web app a remote host talks to, without building the app: the real route handlers of the
// install script, the agent image, enrollment, whoami and registry tokens, in a plain HTTP server listening on
// an address other machines reach (this machine's primary one, for a host in a network namespace). Like the
// front door (scripts/web-server.mjs), it sets the caller's address from the socket. Sets BERTH_PUBLIC_URL to
// itself, so install commands and enrollment credentials name it.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { Readable } from "node:stream";
import { POST as enrollRoute } from "@/app/api/agent/enroll/route";
import { GET as imageRoute } from "@/app/api/agent/image/route";
import { GET as installRoute } from "@/app/api/agent/install/[token]/route";
import { GET as whoamiRoute } from "@/app/api/agent/whoami/route";
import { GET as registryTokenRoute } from "@/app/api/registry/token/route";
import { CLIENT_IP_HEADER } from "@/lib/http/client-ip";

type Params = { params: Promise<Record<string, string>> };
type Handler = (req: Request, ctx: Params) => Promise<Response>;

const routes: { method: string; path: RegExp; handler: Handler }[] = [
  { method: "GET", path: /^\/api\/agent\/install\/(?<token>[^/]+)$/, handler: installRoute as Handler },
  { method: "GET", path: /^\/api\/agent\/image$/, handler: imageRoute as Handler },
  { method: "POST", path: /^\/api\/agent\/enroll$/, handler: enrollRoute as Handler },
  { method: "GET", path: /^\/api\/agent\/whoami$/, handler: whoamiRoute as Handler },
  { method: "GET", path: /^\/api\/registry\/token$/, handler: (req) => Promise.resolve(registryTokenRoute(req)) },
];

export type AgentFront = Awaited<ReturnType<typeof startAgentFront>>;

export async function startAgentFront(address: string) {
  const requests: string[] = [];
  const server = http.createServer(async (req, res) => {
    try {
      const url = new URL(req.url ?? "/", `http://${req.headers.host ?? address}`);
      requests.push(`${req.method} ${url.pathname}`);
      const match = routes.map((r) => ({ r, m: r.method === req.method ? r.path.exec(url.pathname) : null })).find((x) => x.m);
      if (!match) {
        res.writeHead(404).end();
        return;
      }
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const headers = new Headers();
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers.set(k, v);
      headers.set(CLIENT_IP_HEADER, req.socket.remoteAddress ?? "unknown");
      const body = req.method === "GET" ? undefined : Buffer.concat(chunks);
      const answer = await match.r.handler(new Request(url, { method: req.method, headers, body }), { params: Promise.resolve({ ...match.m!.groups }) });
      res.writeHead(answer.status, Object.fromEntries(answer.headers));
      if (answer.body) Readable.fromWeb(answer.body as import("node:stream/web").ReadableStream).pipe(res);
      else res.end();
    } catch (e) {
      if (!res.headersSent) res.writeHead(500);
      res.end(String(e));
    }
  });
  await new Promise<void>((r) => server.listen(0, address, r));
  const url = `http://${address}:${(server.address() as AddressInfo).port}`;
  const saved = process.env.BERTH_PUBLIC_URL;
  process.env.BERTH_PUBLIC_URL = url;
  return {
    url,
    /** Every request served, as "METHOD /path". */
    requests,
    async stop() {
      if (saved === undefined) delete process.env.BERTH_PUBLIC_URL;
      else process.env.BERTH_PUBLIC_URL = saved;
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}
