// What the API says about teams, their overview and their audit log.
import { z } from "zod";
import { ROLES } from "@/lib/permissions";
import { timestamp } from "./timestamp";

export { timestamp };

export const role = z.enum(ROLES);

export const teamRef = z.object({ id: z.string(), slug: z.string(), name: z.string() });

/** A team as its member sees it in the team list: with their role there. */
export const myTeam = teamRef.extend({ role });

export const teamOverview = z.object({
  team: teamRef,
  role,
  members: z.number().int(),
  pendingInvites: z.number().int(),
  hosts: z.number().int(),
  hostsOnline: z.number().int(),
  running: z.number().int(),
  projects: z.number().int(),
});

/** One audit row. `tokenName`: the API token the change was made through, if any. */
export const auditEvent = z.object({
  id: z.string(),
  actorEmail: z.string(),
  tokenName: z.string().nullable(),
  action: z.string(),
  targetType: z.string(),
  targetLabel: z.string().nullable(),
  /** What changed, as the action recorded it (JSON). */
  data: z.unknown(),
  createdAt: timestamp,
});
