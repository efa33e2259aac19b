// The web app's server: Next.js behind Berth's front door (lib/http/front-door.mjs), so malformed requests get
// a 4xx instead of reaching Next.js, and the caller's address is the socket's (or a trusted proxy's word).
//   node scripts/web-server.mjs --port 3000 [--host 127.0.0.1]
// Behind the front (scripts/front-proxy.mjs, several web processes) each listens on loopback only, and answers
// the front's probe at /_berth/up.
import http from "node:http";
import next from "next";
import { UP_PATH } from "./front-proxy.mjs";
import { actionFailuresAreClientErrors, isHttps, normaliseForwarding, parseTrustedProxies, refusal, secureCookies } from "../lib/http/front-door.mjs";

const portArg = process.argv.indexOf("--port");
const port = Number(portArg > 0 ? process.argv[portArg + 1] : process.env.PORT || 3000);
const hostArg = process.argv.indexOf("--host");
const host = hostArg > 0 ? process.argv[hostArg + 1] : undefined;
const trusted = parseTrustedProxies(process.env.BERTH_TRUSTED_PROXIES);

const app = next({ dev: false, dir: process.cwd(), port });
await app.prepare();
const handle = app.getRequestHandler();

const server = http.createServer((req, res) => {
  if (req.url === UP_PATH && (req.method === "GET" || req.method === "HEAD")) {
    res.writeHead(200, { "content-type": "text/plain", "cache-control": "no-store" }).end("ok\n");
    return;
  }
  normaliseForwarding(req, trusted);
  const refused = refusal(req);
  if (refused) {
    res.writeHead(refused.status, { "content-type": "application/json", "x-content-type-options": "nosniff" });
    res.end(JSON.stringify({ error: { code: refused.code, message: refused.message } }));
    req.resume(); // drain what the client still sends
    return;
  }
  if (req.headers["next-action"] !== undefined) actionFailuresAreClientErrors(res);
  if (isHttps(req)) secureCookies(res);
  handle(req, res).catch((e) => {
    console.error(`${req.method} ${req.url} failed:`, e);
    if (!res.headersSent) res.writeHead(500).end();
  });
});
// Next answers malformed request lines itself badly or not at all: the parser's errors end here.
server.on("clientError", (err, socket) => {
  if (socket.writable) socket.end("HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
  else socket.destroy(err);
});
server.listen(port, host, () => console.log(`berth web: listening on http://${host ?? "localhost"}:${port}`));
for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, () => server.close(() => process.exit(0)).closeAllConnections());
