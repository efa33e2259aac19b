"use client";
// For pages that show what a push cannot patch (a service's deployments, an environment's services): re-render
// the page on the server for the news it shows, never for heartbeat usage (`hosts`, about once a second).
import type { LiveMessage } from "@/lib/live/channels";
import { LiveProvider, LiveStatus, useLive } from "./live-provider";

type Only = { hostId?: string; serviceId?: string; kind?: LiveMessage["kind"]; dockerId?: string };

/** Whether a page showing `only` must re-render for `msg`. */
export function concerns(msg: LiveMessage, only: Only): boolean {
  if (msg.kind === "hosts") return false;
  if (only.kind && msg.kind !== only.kind) return false;
  if (only.hostId && msg.hostId !== only.hostId) return false;
  if (only.serviceId && (msg.kind !== "deployment" || msg.serviceId !== only.serviceId)) return false;
  if (only.dockerId) {
    if (msg.kind !== "containers") return false;
    const id = only.dockerId;
    return Boolean(msg.resync || (!msg.upserted && !msg.removed) || msg.removed?.includes(id) || msg.upserted?.some((c) => c.dockerId === id));
  }
  return true;
}

/** Re-renders the page it is on for the news `only` names (inside a LiveProvider); `dockerId`: that container's. */
export function RefreshOn(only: Only) {
  useLive((msg, refresh) => {
    if (concerns(msg, only)) refresh();
  });
  return null;
}

/** A page's own stream with the Live indicator: `hostId` / `serviceId` / `kind` narrow what it refreshes for. */
export function LiveRefresh({ slug, ...only }: { slug: string } & Only) {
  return (
    <LiveProvider slug={slug} hosts={only.hostId ? [only.hostId] : []}>
      <RefreshOn {...only} />
      <LiveStatus />
    </LiveProvider>
  );
}
