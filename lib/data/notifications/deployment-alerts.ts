// The deployment triggers: called inside the transaction that writes a deployment's terminal status.
import type { Tx } from "@/lib/db";
import { notify } from "./notify";

/** LIVE → deployment.succeeded, FAILED → deployment.failed (with the error); other statuses say nothing. */
export async function notifyDeploymentEnded(tx: Tx, d: { id: string; teamId: string }, status: string, error?: string | null): Promise<number> {
  if (status === "LIVE") return notify(tx, { teamId: d.teamId, event: "deployment.succeeded", key: `deployment:${d.id}:succeeded`, deploymentId: d.id });
  if (status === "FAILED")
    return notify(tx, { teamId: d.teamId, event: "deployment.failed", key: `deployment:${d.id}:failed`, deploymentId: d.id, detail: error });
  return 0;
}
