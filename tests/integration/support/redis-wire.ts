// Talking to Redis below ioredis: a raw socket (TLS for rediss://, trusting the CA in NODE_EXTRA_CA_CERTS like
// every Berth process) and redis-cli's connection arguments, both from a Redis URL.
import net from "node:net";
import tls from "node:tls";

/** Opens a socket to the Redis `url` names; `onReady` runs once it can be written (after the TLS handshake). */
export function redisSocket(url: string, onReady: () => void): net.Socket {
  const u = new URL(url);
  const port = Number(u.port || 6379);
  const host = u.hostname.replace(/^\[|\]$/g, "");
  if (u.protocol === "rediss:") return tls.connect({ host, port, servername: net.isIP(host) ? undefined : host }, onReady);
  return net.connect(port, host, onReady);
}

/** redis-cli's arguments for the Redis `url` names (the password goes in REDISCLI_AUTH, not here). */
export function redisCliArgs(url: string): string[] {
  const u = new URL(url);
  const args = ["-h", u.hostname.replace(/^\[|\]$/g, ""), "-p", u.port || "6379"];
  if (u.protocol === "rediss:") args.push("--tls", ...(process.env.NODE_EXTRA_CA_CERTS ? ["--cacert", process.env.NODE_EXTRA_CA_CERTS] : []));
  return args;
}
