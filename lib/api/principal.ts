// Who is calling: a browser session (cookie), an API token (Authorization: Bearer), or nobody.
import type { Actor } from "@/lib/data/context";

export type Principal = { kind: "session"; user: Actor; sessionId: string } | { kind: "token"; token: string } | { kind: "anonymous"; user?: undefined };

/** The bearer token of a request, if it sent one (a malformed one is the token check's to refuse). */
export function bearerToken(headers: Headers): string | null {
  const auth = headers.get("authorization");
  if (!auth) return null;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(auth);
  return m ? m[1]! : auth;
}
