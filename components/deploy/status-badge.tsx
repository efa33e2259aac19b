import { Badge } from "@/components/ui/card";
import { STATUS_LABEL } from "@/lib/deploy/states";
import type { DeploymentStatus } from "@/lib/generated/prisma/enums";

const COLOR: Record<DeploymentStatus, "gray" | "blue" | "green" | "red" | "amber"> = {
  QUEUED: "gray",
  CLONING: "blue",
  BUILDING: "blue",
  PULLING: "blue",
  STARTING: "blue",
  HEALTH_CHECK: "blue",
  LIVE: "green",
  FAILED: "red",
  CANCELLED: "amber",
};

/** `serving: false` marks a release that went live once but is not what serves now. */
export function DeploymentStatusBadge({ status, serving }: { status: DeploymentStatus; serving?: boolean }) {
  const earlier = status === "LIVE" && serving === false;
  return (
    <span data-testid="deployment-status" data-status={status}>
      <Badge color={earlier ? "gray" : COLOR[status]}>{earlier ? "Released" : STATUS_LABEL[status]}</Badge>
    </span>
  );
}

export function formatMs(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}
