// What the API says about hosts, their containers and images. A host's password hash and its enrollment
// token's hash stay home; an install command is in the one answer that made it.
import { z } from "zod";
import { timestamp } from "./timestamp";
import { portMapping } from "@/lib/hosts/protocol";

/** Byte counts are BigInt columns; JSON has no BigInt (and no host has 2^53 bytes of memory). */
const bytes = z
  .bigint()
  .transform((b) => Number(b))
  .nullable();

export const hostSummary = z.object({
  id: z.string(),
  name: z.string(),
  /** This machine's own host, whose agent Berth starts itself. */
  isLocal: z.boolean(),
  status: z.enum(["PENDING", "ONLINE", "OFFLINE"]),
  statusSince: timestamp,
  lastHeartbeatAt: timestamp.nullable(),
  /** When what is shown (containers, usage) was last reported; older than the heartbeat while offline. */
  lastSnapshotAt: timestamp.nullable(),
  agentVersion: z.string().nullable(),
  /** Whether the agent runs from Berth's agent image, so Update agent can replace it. */
  agentInContainer: z.boolean(),
  /** Why the agent takes no jobs (it speaks another protocol than this Berth), or null. */
  protocolProblem: z.string().nullable(),
  dockerVersion: z.string().nullable(),
  apiVersion: z.string().nullable(),
  os: z.string().nullable(),
  cpuCount: z.number().int().nullable(),
  cpuPercent: z.number().nullable(),
  memTotalBytes: bytes,
  memUsedBytes: bytes,
  baseDomain: z.string(),
  buildConcurrency: z.number().int(),
  allowPrivateNetworks: z.boolean(),
  /** Until when the host's last install command works (null once its agent enrolled). */
  enrollExpiresAt: timestamp.nullable(),
  createdAt: timestamp,
});

/** In the list: how many of its containers are in each state (`running`, `exited`, ...). */
export const hostListItem = hostSummary.extend({ containers: z.record(z.string(), z.number().int()) });

/** A page of a list: `total` rows match the query in all; `page` (from 1) of `limit` rows each. */
export const pageOf = <K extends string, T extends z.ZodType>(key: K, item: T) =>
  z.object({ [key]: z.array(item), total: z.number().int(), page: z.number().int(), limit: z.number().int() } as { [k in K]: z.ZodArray<T> } & {
    total: z.ZodNumber;
    page: z.ZodNumber;
    limit: z.ZodNumber;
  });

/** An install command to paste on the machine: it works once, until `expiresAt`, and is never shown again. */
export const installCommandOutput = z.object({
  curl: z.string(),
  wget: z.string(),
  expiresAt: timestamp,
  /** Why the command cannot work from another machine (Berth's public address is a loopback one), or null. */
  warning: z.string().nullable(),
});

export const createdHost = z.object({ id: z.string(), name: z.string(), install: installCommandOutput });

/** A JSON column (Prisma types it loosely), held to the shape the agent reported it in. */
const json = <T extends z.ZodType>(shape: T) => z.unknown().pipe(shape);

export const containerSummary = z.object({
  dockerId: z.string(),
  name: z.string(),
  image: z.string(),
  imageId: z.string(),
  command: z.string(),
  /** created, running, paused, restarting, removing, exited or dead. */
  state: z.string(),
  status: z.string(),
  health: z.string().nullable(),
  ports: json(z.array(portMapping)),
  labels: json(z.record(z.string(), z.string())),
  restartPolicy: z.string(),
  exitCode: z.number().int().nullable(),
  createdAt: timestamp,
  startedAt: timestamp.nullable(),
  finishedAt: timestamp.nullable(),
  /** When its agent reported this state. */
  reportedAt: timestamp,
});

export const containerDetail = containerSummary.extend({
  host: z.object({ id: z.string(), name: z.string(), status: z.enum(["PENDING", "ONLINE", "OFFLINE"]) }),
});
