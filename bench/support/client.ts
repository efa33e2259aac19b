// A benchmark's view of Berth from outside, as a browser has it: a signed-in session cookie, and the team's
// live stream of pushes.

/** Signs in through next-auth's credentials endpoint; returns the session cookie ("name=value"). */
export async function signIn(baseUrl: string, email: string, password: string): Promise<string> {
  const csrf = await fetch(`${baseUrl}/api/auth/csrf`);
  const jar = csrf.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .join("; ");
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const res = await fetch(`${baseUrl}/api/auth/callback/credentials`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: jar },
    body: new URLSearchParams({ csrfToken, email, password, json: "true" }),
  });
  const session = res.headers.getSetCookie().find((c) => c.startsWith("next-auth.session-token="));
  if (!session) throw new Error("sign-in failed");
  return session.split(";")[0]!;
}

export type LivePush = { kind: string; hostId: string; serviceId?: string };

/** Follows the team's live stream; calls back with each push and its arrival time. Returns a stop function. */
export async function followLive(baseUrl: string, slug: string, cookie: string, onPush: (push: LivePush, at: number) => void) {
  const ctrl = new AbortController();
  const res = await fetch(`${baseUrl}/api/v1/teams/${slug}/live`, { headers: { cookie }, signal: ctrl.signal });
  if (!res.ok) throw new Error(`live stream: ${res.status} ${await res.text()}`);
  const reader = res.body!.getReader();
  void (async () => {
    let buf = "";
    for (;;) {
      const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
      if (done) return;
      buf += Buffer.from(value!).toString();
      let i: number;
      while ((i = buf.indexOf("\n\n")) >= 0) {
        const lines = buf.slice(0, i).split("\n");
        buf = buf.slice(i + 2);
        // Pushes are unnamed events; named ones (ready, keepalive) only keep the stream going.
        if (lines.some((l) => l.startsWith("event: "))) continue;
        const data = lines.find((l) => l.startsWith("data: "));
        if (data) onPush(JSON.parse(data.slice(6)) as LivePush, performance.timeOrigin + performance.now());
      }
    }
  })();
  return () => ctrl.abort();
}
