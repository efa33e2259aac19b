// What an agent receives when it trades its one-time enrollment token (POST /api/agent/enroll): its long-lived
// Redis login as a URL, the CA it pins for Redis and the registry, and the versions it must match. Shared by
// the web app (which answers it) and the agent (which parses it and keeps it, mode 0600, in its volume).
import { z } from "zod";

export const enrollRequest = z.object({ token: z.string().min(20).max(200) });

export const enrollmentCredentials = z.object({
  hostId: z.string().regex(/^[a-z0-9]{8,40}$/),
  /** rediss://host-<id>:<password>@<address>:<port>/?prefix=<queue prefix> */
  redisUrl: z.string().url(),
  /** PEM of Berth's private CA. */
  ca: z.string().min(1).max(20_000),
  /** Where the agent reaches Berth over HTTP (updates, and asking whether its host still exists). */
  berthUrl: z.string().url(),
  /** Berth's registry as `host:port`. */
  registry: z.string().min(1).max(300),
  protocolVersion: z.number().int(),
  agentVersion: z.string().max(100),
});
export type EnrollmentCredentials = z.infer<typeof enrollmentCredentials>;
