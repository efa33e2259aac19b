"use client";
// A relative time ("12 seconds ago" → "a minute ago") that keeps moving without a server render: one shared
// clock re-renders every shown time every few seconds.
import { useSyncExternalStore } from "react";
import { relative } from "@/components/time";

const TICK_MS = 5_000;
const subscribers = new Set<() => void>();
let now = Date.now();
const clock = () => now;
let timer: ReturnType<typeof setInterval> | undefined;

function subscribe(cb: () => void) {
  subscribers.add(cb);
  timer ??= setInterval(() => {
    now = Date.now();
    for (const s of subscribers) s();
  }, TICK_MS);
  return () => {
    subscribers.delete(cb);
    if (subscribers.size === 0 && timer) {
      clearInterval(timer);
      timer = undefined;
    }
  };
}

/** `date` relative to now, with the exact UTC time on hover. */
export function TickingTime({ date }: { date: Date | string }) {
  const at = typeof date === "string" ? new Date(date) : date;
  useSyncExternalStore(subscribe, clock, clock); // re-renders on each tick
  return (
    <time dateTime={at.toISOString()} title={at.toUTCString()} suppressHydrationWarning>
      {relative(at)}
    </time>
  );
}
