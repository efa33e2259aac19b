"use client";
// Keeps a server-rendered page current: on each push from the team's live stream it re-renders the page
// on the server (router.refresh), coalescing bursts. It also re-renders whenever the stream (re)connects:
// a change made between the page's render and the subscription, or while disconnected, is not missed.
// Shows whether the stream is connected.
import { useRouter } from "next/navigation";
import { useEffect, useRef, useState } from "react";

/** `hostId` / `serviceId` / `kind`: refresh only for news about that host, that service's deployments, or of that kind. */
export function LiveRefresh({ slug, hostId, serviceId, kind }: { slug: string; hostId?: string; serviceId?: string; kind?: string }) {
  const router = useRouter();
  const [connected, setConnected] = useState(false);
  const pending = useRef(false);
  useEffect(() => {
    const es = new EventSource(`/api/v1/teams/${slug}/live`);
    const refresh = () => {
      if (pending.current) return;
      pending.current = true;
      setTimeout(() => {
        pending.current = false;
        router.refresh();
      }, 50);
    };
    es.onopen = () => {
      setConnected(true);
      refresh();
    };
    es.onerror = () => setConnected(false);
    es.onmessage = (e) => {
      const msg = JSON.parse(e.data) as { hostId: string; serviceId?: string; kind?: string };
      if (hostId && msg.hostId !== hostId) return;
      if (kind && msg.kind !== kind) return;
      if (serviceId && msg.serviceId !== serviceId) return;
      refresh();
    };
    return () => es.close();
  }, [slug, hostId, serviceId, kind, router]);
  return (
    <span className="inline-flex items-center gap-1.5 text-xs text-slate-500" data-testid="live-status" data-connected={connected}>
      <span className={`h-2 w-2 rounded-full ${connected ? "bg-emerald-500" : "bg-amber-400"}`} />
      {connected ? "Live" : "Reconnecting…"}
    </span>
  );
}
