// Signed-in viewers holding a live page open, as the browser does: the team's live stream, and on each push the
// page either patches itself (a message that carries the change: `hosts`, `host` with its `host` patch,
// `containers` with `upserted`/`removed`, lib/live/channels.ts) at no cost to the server, or re-reads the page
// the way router.refresh does (GET with `RSC: 1`), coalesced 50 ms, after the filter the page's LiveRefresh
// applies (its host, its service). Messages are parsed loosely so the same viewer measures the old format
// (ids only, every message a re-read) and the new one. A container page also polls its logs and stats about
// every 2 s (lib/poll-delay.ts), as its LogViewer (the last 200 lines, then those since the last it has) and
// StatsCharts do. A viewer keeps at most one re-read in flight (one more waits), which is gentler on the server
// than router.refresh, which does not wait. Each names the hosts its page shows (`?hosts=`), as the browser's
// LiveProvider does: other hosts' usage and container news is not sent to it.
import { nextPollIn, POLL_MS } from "@/lib/poll-delay";

/** What a push may say, in either format. */
export type LivePush = {
  kind?: string;
  hostId?: string;
  serviceId?: string;
  host?: unknown;
  hosts?: unknown[];
  upserted?: { dockerId: string; state: string }[];
  removed?: string[];
  resync?: boolean;
  /** When Berth published it (ms, wall clock). */
  at?: number;
};

export type ViewerPage = {
  what: "hosts" | "host" | "container" | "deployments";
  path: string;
  /** The page re-reads only for news of this host or service (its LiveRefresh's filter). */
  hostId?: string;
  serviceId?: string;
  /** Read every 2 s while the page is open. */
  polls?: string[];
  /** The hosts the page shows, which its stream names (`?hosts=`); absent: the whole team's news. */
  scope?: string[];
};

/** Whether the page can apply this message itself. */
export function patchable(m: LivePush): boolean {
  if (m.kind === "hosts") return true;
  if (m.kind === "host") return m.host !== undefined;
  if (m.kind === "containers") return !m.resync && (m.upserted !== undefined || m.removed !== undefined);
  return false;
}

function concerns(page: ViewerPage, m: LivePush): boolean {
  if (page.hostId && m.hostId !== page.hostId) return false;
  if (page.serviceId && m.serviceId !== page.serviceId) return false;
  return true;
}

export type ViewerStats = {
  messages: number;
  patched: number;
  refreshes: number;
  refreshMs: number[];
  refreshErrors: number;
  pollErrors: number;
  /** The last failure, for the bench's warning. */
  lastError?: string;
};

export function startViewer(baseUrl: string, cookie: string, page: ViewerPage, onPush: (m: LivePush, at: number) => void, slug: string) {
  const stats: ViewerStats = { messages: 0, patched: 0, refreshes: 0, refreshMs: [], refreshErrors: 0, pollErrors: 0 };
  const ctrl = new AbortController();
  let timer: NodeJS.Timeout | null = null;
  let inFlight = false;
  let again = false;

  const refreshNow = async () => {
    if (inFlight) {
      again = true;
      return;
    }
    inFlight = true;
    const t0 = performance.now();
    try {
      const res = await fetch(`${baseUrl}${page.path}`, { headers: { cookie, RSC: "1" }, signal: ctrl.signal });
      await res.arrayBuffer();
      if (res.ok) stats.refreshMs.push(performance.now() - t0);
      else {
        stats.refreshErrors++;
        stats.lastError = `${page.path}: HTTP ${res.status}`;
      }
      stats.refreshes++;
    } catch (e) {
      if (!ctrl.signal.aborted) {
        stats.refreshErrors++;
        stats.lastError = `${page.path}: ${(e as Error).message}`;
      }
    } finally {
      inFlight = false;
    }
    if (again && !ctrl.signal.aborted) {
      again = false;
      void refreshNow();
    }
  };
  const refresh = () => {
    if (timer) return;
    timer = setTimeout(() => {
      timer = null;
      void refreshNow();
    }, 50);
  };

  const handle = (m: LivePush, at: number) => {
    stats.messages++;
    onPush(m, at);
    if (patchable(m)) stats.patched++;
    else if (concerns(page, m)) refresh();
  };

  const follow = async () => {
    const scope = page.scope ? `?hosts=${encodeURIComponent([...page.scope].sort().join(","))}` : "";
    const res = await fetch(`${baseUrl}/api/v1/teams/${slug}/live${scope}`, { headers: { cookie }, signal: ctrl.signal });
    if (!res.ok) throw new Error(`live stream: ${res.status} ${await res.text()}`);
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let buf = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buf += decoder.decode(value, { stream: true });
      let i: number;
      while ((i = buf.indexOf("\n\n")) >= 0) {
        const lines = buf.slice(0, i).split("\n");
        buf = buf.slice(i + 2);
        const event = lines.find((l) => l.startsWith("event: "))?.slice(7);
        if (event === "ready") refresh(); // EventSource's onopen: the page re-reads once
        if (event) continue; // named events (ready, keepalive) carry no news
        const data = lines.find((l) => l.startsWith("data: "));
        if (!data) continue;
        let m: LivePush;
        try {
          m = JSON.parse(data.slice(6)) as LivePush;
        } catch {
          continue;
        }
        handle(m, performance.timeOrigin + performance.now());
      }
    }
  };
  const streaming = follow().catch((e) => {
    if (!ctrl.signal.aborted) console.error(`viewer on ${page.path}: ${(e as Error).message}`);
  });

  for (const p of page.polls ?? []) {
    // A logs poll asks, as LogViewer does after its first read, only for lines since the last one it has.
    let since: number | undefined;
    const tick = async () => {
      if (ctrl.signal.aborted) return;
      try {
        const res = await fetch(`${baseUrl}${p}${since === undefined ? "" : `&since=${since}`}`, { headers: { cookie }, signal: ctrl.signal });
        const text = await res.text();
        if (!res.ok) {
          stats.pollErrors++;
          stats.lastError = `${p}: HTTP ${res.status} ${text.slice(0, 200)}`;
        } else if (p.includes("/logs?")) {
          const last = (JSON.parse(text) as { lines?: { ts: string | null }[] }).lines?.at(-1)?.ts;
          if (last) since = Math.floor(Date.parse(last) / 1000);
        }
      } catch (e) {
        if (!ctrl.signal.aborted) {
          stats.pollErrors++;
          stats.lastError = `${p}: ${(e as Error).message}`;
        }
      }
      if (!ctrl.signal.aborted) setTimeout(tick, nextPollIn());
    };
    setTimeout(tick, Math.random() * POLL_MS);
  }

  return {
    page,
    stats,
    async stop() {
      ctrl.abort();
      if (timer) clearTimeout(timer);
      await streaming;
    },
  };
}
export type Viewer = ReturnType<typeof startViewer>;
