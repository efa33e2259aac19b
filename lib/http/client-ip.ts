// The caller's address as Berth's front door (scripts/web-server.mjs) determined it: the socket's peer, or
// the X-Forwarded-For hop that a proxy listed in BERTH_TRUSTED_PROXIES vouched for. A client cannot choose
// it: the front door overwrites this header on every request.
export const CLIENT_IP_HEADER = "x-berth-client-ip";

export function clientIp(headers: Headers | Record<string, unknown> | undefined): string {
  const v = headers instanceof Headers ? headers.get(CLIENT_IP_HEADER) : headers?.[CLIENT_IP_HEADER];
  return typeof v === "string" && v ? v : "unknown";
}
