"use client";
// One team live stream per page, shared by every component on it that wants the pushes: a component subscribes
// with `useLive` and patches itself from what a message carries; what it cannot patch it hands to `refresh`,
// which re-renders the page on the server once for a burst. Each time the stream is ready (the first time, and
// after every reconnect) the page is re-rendered too: a change made between the page's render and the
// subscription, or while disconnected, is not missed. A page names the hosts it shows (`hosts`), and its stream
// leaves out other hosts' usage, counts and container news (lib/live/channels.ts `scopeMessage`); without, all.
import { useRouter } from "next/navigation";
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState } from "react";
import type { LiveMessage } from "@/lib/live/channels";

type Listener = (msg: LiveMessage) => void;
/** The stream before its first `ready`, while it is ready, and after it dropped (EventSource reconnects itself). */
type Connection = "connecting" | "live" | "reconnecting";
type Live = { subscribe: (l: Listener) => () => void; refresh: () => void; connection: Connection };

const LiveContext = createContext<Live | null>(null);

/** How long a burst of "cannot patch" news is gathered into one server render. */
const REFRESH_COALESCE_MS = 50;

export function LiveProvider({ slug, hosts, children }: { slug: string; hosts?: string[]; children: React.ReactNode }) {
  const router = useRouter();
  const [connection, setConnection] = useState<Connection>("connecting");
  const listeners = useRef(new Set<Listener>());
  const pending = useRef(false);
  const refresh = useCallback(() => {
    if (pending.current) return;
    pending.current = true;
    setTimeout(() => {
      pending.current = false;
      router.refresh();
    }, REFRESH_COALESCE_MS);
  }, [router]);
  const scope = hosts ? `?hosts=${encodeURIComponent([...hosts].sort().join(","))}` : "";
  useEffect(() => {
    const es = new EventSource(`/api/v1/teams/${slug}/live${scope}`);
    // `ready` comes once the server's subscription is in place (the stream's open may come before it).
    es.addEventListener("ready", () => {
      setConnection("live");
      refresh();
    });
    es.onerror = () => setConnection((c) => (c === "connecting" ? c : "reconnecting"));
    es.onmessage = (e) => {
      // The server parsed it against the contract (lib/live/subscribe.ts) before sending it.
      const msg = JSON.parse(e.data) as LiveMessage;
      for (const l of listeners.current) l(msg);
    };
    return () => es.close();
  }, [slug, scope, refresh]);
  const subscribe = useCallback((l: Listener) => {
    listeners.current.add(l);
    return () => void listeners.current.delete(l);
  }, []);
  const live = useMemo(() => ({ subscribe, refresh, connection }), [subscribe, refresh, connection]);
  return <LiveContext.Provider value={live}>{children}</LiveContext.Provider>;
}

function useLiveContext(): Live {
  const live = useContext(LiveContext);
  if (!live) throw new Error("A live component is outside a LiveProvider.");
  return live;
}

/** Calls `listener` for each message of the page's stream; it gets `refresh` for what it cannot patch. */
export function useLive(listener: (msg: LiveMessage, refresh: () => void) => void) {
  const { subscribe, refresh } = useLiveContext();
  const latest = useRef(listener);
  latest.current = listener;
  useEffect(() => subscribe((msg) => latest.current(msg, refresh)), [subscribe, refresh]);
}

const LABEL: Record<Connection, string> = { connecting: "Connecting…", live: "Live", reconnecting: "Reconnecting…" };

/** Whether the page's stream is connected: "Live", or "Connecting…"/"Reconnecting…" while it is not. */
export function LiveStatus() {
  const { connection } = useLiveContext();
  const live = connection === "live";
  return (
    <span className="inline-flex items-center gap-1.5 text-xs text-slate-500" data-testid="live-status" data-connected={live}>
      <span className={`h-2 w-2 rounded-full ${live ? "bg-emerald-500" : connection === "connecting" ? "bg-slate-300" : "bg-amber-400"}`} />
      {LABEL[connection]}
    </span>
  );
}
