import { TickingTime } from "@/components/live/ticking-time";
import { Badge } from "@/components/ui/card";

const LOOK = { ONLINE: ["green", "Online"], OFFLINE: ["red", "Offline"], PENDING: ["amber", "Waiting for agent"] } as const;

export function HostStatus({ status, since }: { status: keyof typeof LOOK; since: Date | string }) {
  const [color, label] = LOOK[status];
  return (
    <span className="inline-flex items-center gap-2" data-testid="host-status" data-status={status}>
      <Badge color={color}>{label}</Badge>
      <span className="text-xs text-slate-500">
        since <TickingTime date={since} />
      </span>
    </span>
  );
}

const STATE_COLOR: Record<string, "green" | "red" | "amber" | "gray" | "blue"> = {
  running: "green",
  exited: "gray",
  dead: "red",
  paused: "amber",
  restarting: "amber",
  created: "blue",
  removing: "amber",
};

export function ContainerState({ state, health }: { state: string; health?: string | null }) {
  return (
    <span className="inline-flex items-center gap-1.5" data-testid="container-state" data-state={state}>
      <Badge color={STATE_COLOR[state] ?? "gray"}>{state}</Badge>
      {health && <Badge color={health === "healthy" ? "green" : health === "unhealthy" ? "red" : "amber"}>{health}</Badge>}
    </span>
  );
}
