// What host jobs answer: schemas shared by the agent (which produces them) and the web app (which parses
// every answer with them before using it, lib/hosts/call-host.ts), so the web app never imports worker code
// and an agent that answers in another shape is told apart from one that answered.
import { z } from "zod";

export const logLine = z.object({ stream: z.enum(["stdout", "stderr"]), text: z.string(), ts: z.string().nullable() });
export type LogLine = z.infer<typeof logLine>;

export const statsSample = z.object({
  cpuPercent: z.number(),
  memUsedBytes: z.number(),
  memLimitBytes: z.number(),
  memPercent: z.number(),
  netRxBytes: z.number(),
  netTxBytes: z.number(),
  blockReadBytes: z.number(),
  blockWriteBytes: z.number(),
  pids: z.number(),
  at: z.string(),
});
export type StatsSample = z.infer<typeof statsSample>;

export const imageSummary = z.object({
  id: z.string(),
  tags: z.array(z.string()),
  sizeBytes: z.number(),
  createdAt: z.string(),
  containers: z.array(z.object({ id: z.string(), name: z.string() })),
});
export type ImageSummary = z.infer<typeof imageSummary>;

/** What the container page shows beyond the list; environment as names only. */
export const containerDetails = z.object({
  image: z.string(),
  command: z.array(z.string()),
  entrypoint: z.array(z.string()),
  created: z.string(),
  restartPolicy: z.string(),
  tty: z.boolean(),
  networks: z.array(z.object({ name: z.string(), ip: z.string().nullable() })),
  mounts: z.array(z.object({ type: z.string(), source: z.string(), destination: z.string(), readOnly: z.boolean() })),
  envNames: z.array(z.string()),
});
export type ContainerDetails = z.infer<typeof containerDetails>;

/** The answer of a job that only says it was done. */
export const done = z.object({ ok: z.literal(true) });

export const logsResult = z.object({ lines: z.array(logLine) });
export const envResult = z.object({ env: z.array(z.object({ name: z.string(), value: z.string() })) });
export const imagesResult = z.object({ images: z.array(imageSummary) });
/** A terminal session's key (the rest of the session travels over its streams). */
export const execResult = z.object({ key: z.string().min(1) });
/** Whether the deployment was running here (a cancel of one already ended is not an error). */
export const cancelResult = z.object({ running: z.boolean() });
export const pruneResult = z.object({ removed: z.array(z.string()), kept: z.array(z.object({ tag: z.string(), reason: z.string() })) });
export const serviceRemoveResult = z.object({ containers: z.number().int(), tags: z.number().int() });
export const environmentRemoveResult = serviceRemoveResult.extend({ network: z.enum(["removed", "absent", "in use"]) });
/** The agent's image before and after an update. */
export const agentUpdateResult = z.object({ from: z.string(), to: z.string() });
