// Pushes from the control plane to browsers: a tiny "something changed" message per team, after which the
// browser re-reads through the data-access layer. Messages carry ids only.
import { z } from "zod";

export const liveMessage = z.object({
  hostId: z.string(),
  kind: z.enum(["host", "containers", "deployment"]),
  /** Deployment messages: the service whose deployments changed. */
  serviceId: z.string().optional(),
  at: z.number(),
});
export type LiveMessage = z.infer<typeof liveMessage>;

export function teamChannel(teamId: string) {
  return `berth:live:team:${teamId}`;
}
