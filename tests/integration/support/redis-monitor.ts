// A MONITOR capture over a raw socket. ioredis's monitor mode can fail with "Command queue state error"
// when commands arrive while it switches modes (seen under load), which failed whole test files.
import { redisSocket } from "./redis-wire";

export type RedisMonitor = { lines: string[]; stop: () => void };

const resp = (args: string[]) => `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join("")}`;

/** Starts capturing every command Redis receives; resolves once Redis has confirmed MONITOR. */
export function monitorRedis(url: string): Promise<RedisMonitor> {
  const u = new URL(url);
  const password = decodeURIComponent(u.password);
  const user = decodeURIComponent(u.username);
  const auth = password ? (user ? ["AUTH", user, password] : ["AUTH", password]) : null;
  const lines: string[] = [];
  return new Promise((resolve, reject) => {
    let oks = auth ? 2 : 1; // AUTH's +OK, then MONITOR's
    const sock = redisSocket(url, () => sock.write((auth ? resp(auth) : "") + resp(["MONITOR"])));
    let buf = "";
    sock.on("error", (e) => (oks > 0 ? reject(e) : undefined));
    sock.on("data", (d) => {
      buf += d.toString("utf8");
      for (let i = buf.indexOf("\r\n"); i >= 0; i = buf.indexOf("\r\n")) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 2);
        if (oks > 0) {
          if (line !== "+OK") return reject(new Error(`MONITOR refused: ${line}`));
          if (--oks === 0) resolve({ lines, stop: () => sock.destroy() });
        } else if (line.startsWith("+")) lines.push(line.slice(1));
      }
    });
  });
}
