// One Redis subscriber per web process, one SUBSCRIBE per team however many streams of the team are open,
// fanned out to each of them. A dropped connection is subscribed again by us (not ioredis's autoResubscribe, which
// sends SUBSCRIBE without waiting for it) and only once Redis confirmed it are listeners told to re-read: a change
// published while the connection was down is then read, and none published after the re-read is missed.
import { Redis } from "ioredis";
import { env } from "@/lib/env";
import { liveMessage, teamChannel, type LiveMessage } from "./channels";

type Listener = (msg: LiveMessage) => void;
type Subscription = { message: Listener; resubscribed?: () => void };
/** Each channel's subscriptions, and its SUBSCRIBE (a second stream of the team waits for the first one's). */
const channels = new Map<string, { subs: Set<Subscription>; subscribed: Promise<unknown> }>();
let sub: Redis | undefined;

function subscriber(): Redis {
  if (sub) return sub;
  const redis = new Redis(env.redisUrl, { maxRetriesPerRequest: null, autoResubscribe: false, connectionName: `berth-live-${process.pid}` });
  let connectedBefore = false;
  redis.on("message", (channel: string, raw: string) => deliver(channel, raw));
  redis.on("ready", () => {
    if (!connectedBefore) {
      connectedBefore = true;
      return;
    }
    void resubscribe(redis);
  });
  redis.on("error", (e) => console.error("live: redis subscriber:", e.message));
  sub = redis;
  return redis;
}

/** Hands a message to the channel's listeners; bad JSON, a message outside the contract or a throwing listener are logged, not thrown. */
function deliver(channel: string, raw: string) {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    console.error(`live: ignored a message on ${channel} that is not JSON (${raw.slice(0, 80)})`);
    return;
  }
  const parsed = liveMessage.safeParse(json);
  if (!parsed.success) {
    console.error(`live: ignored a message on ${channel} outside the contract: ${parsed.error.issues[0]?.message}`);
    return;
  }
  for (const s of channels.get(channel)?.subs ?? []) guarded(() => s.message(parsed.data));
}

async function resubscribe(redis: Redis) {
  const names = [...channels.keys()];
  if (!names.length) return;
  try {
    await redis.subscribe(...names);
  } catch (e) {
    // The next reconnect tries again; until then the streams' slow safety re-reads cover them.
    console.error(`live: subscribing again after a reconnect failed: ${(e as Error).message}`);
    return;
  }
  for (const name of names) for (const s of channels.get(name)?.subs ?? []) if (s.resubscribed) guarded(s.resubscribed);
}

function guarded(fn: () => void) {
  try {
    fn();
  } catch (e) {
    console.error("live: a listener failed:", e);
  }
}

/**
 * Calls `listener` for each change in the team until the returned function is called; resolves once the
 * subscription is in place. `resubscribed` is called after the subscriber lost Redis and subscribed again:
 * messages may have been missed, re-read.
 */
export async function subscribeTeam(teamId: string, listener: Listener, resubscribed?: () => void): Promise<() => void> {
  const name = teamChannel(teamId);
  let channel = channels.get(name);
  if (!channel) {
    channel = { subs: new Set(), subscribed: subscriber().subscribe(name) };
    channels.set(name, channel);
  }
  const s: Subscription = { message: listener, resubscribed };
  channel.subs.add(s);
  const mine = channel;
  const unsubscribe = () => {
    mine.subs.delete(s);
    if (mine.subs.size === 0 && channels.get(name) === mine) {
      channels.delete(name);
      void sub?.unsubscribe(name).catch(() => {});
    }
  };
  try {
    await channel.subscribed;
  } catch (e) {
    unsubscribe();
    throw e;
  }
  return unsubscribe;
}

/** Closes the process's subscriber (tests, shutdown). */
export async function closeLiveSubscriber() {
  const s = sub;
  sub = undefined;
  channels.clear();
  await s?.quit().catch(() => {});
}
