// One Redis subscriber per web process, fanned out to every open stream of the same team.
import { Redis } from "ioredis";
import { env } from "@/lib/env";
import { liveMessage, teamChannel, type LiveMessage } from "./channels";

type Listener = (msg: LiveMessage) => void;
const listeners = new Map<string, Set<Listener>>();
let sub: Redis | undefined;

function subscriber(): Redis {
  if (sub) return sub;
  sub = new Redis(env.redisUrl, { maxRetriesPerRequest: null });
  sub.on("message", (channel: string, raw: string) => {
    const parsed = liveMessage.safeParse(JSON.parse(raw));
    if (!parsed.success) return;
    for (const l of listeners.get(channel) ?? []) l(parsed.data);
  });
  sub.on("error", (e) => console.error("live: redis subscriber:", e.message));
  return sub;
}

/** Calls `listener` for each change in the team until the returned function is called. */
export async function subscribeTeam(teamId: string, listener: Listener): Promise<() => void> {
  const channel = teamChannel(teamId);
  let set = listeners.get(channel);
  if (!set) {
    set = new Set();
    listeners.set(channel, set);
    await subscriber().subscribe(channel);
  }
  set.add(listener);
  return () => {
    set!.delete(listener);
    if (set!.size === 0) {
      listeners.delete(channel);
      void sub?.unsubscribe(channel);
    }
  };
}
