// Teams: the caller's list, create, overview, rename, delete, leave; the audit log; the live stream.
import { z } from "zod";
import { listAudit } from "@/lib/data/audit";
import { leaveTeam } from "@/lib/data/members";
import { createTeam, deleteTeam, listMyTeams, renameTeam, teamOverview } from "@/lib/data/teams";
import { auditFilterInput, createTeamInput, renameTeamInput } from "@/lib/validation/schemas";
import { auditEvent, myTeam, teamOverview as overviewOutput, teamRef } from "../outputs/team";
import { teamOp, userOp, type Operation } from "../operation";
import { teamLiveStream } from "../streams/team-live";
import { liveHostsScope } from "@/lib/live/channels";

export const listTeamsOp = userOp({
  id: "teams.list",
  method: "GET",
  path: "/teams",
  summary: "The caller's teams, with their role in each. An API token sees only its own team.",
  tokens: true,
  input: z.object({}),
  output: z.object({ teams: z.array(myTeam) }),
  run: async (user, _i, meta) => {
    const teams = await listMyTeams(user);
    return { teams: meta.tokenTeamId ? teams.filter((t) => t.id === meta.tokenTeamId) : teams };
  },
});

export const createTeamOp = userOp({
  id: "teams.create",
  method: "POST",
  path: "/teams",
  summary: "Create a team; the caller becomes its owner. `slug` (its URL name) is made from the name when left out.",
  input: createTeamInput,
  output: teamRef,
  status: 201,
  run: (user, i) => createTeam(user, i),
});

export const getTeamOp = teamOp({
  id: "teams.get",
  method: "GET",
  path: "/teams/{team}",
  summary: "The team, the caller's role in it, and its numbers: members, pending invites, hosts (online), running containers, projects.",
  permission: "team.read",
  input: z.object({}),
  output: overviewOutput,
  run: async (ctx) => ({ team: ctx.team, role: ctx.role, ...(await teamOverview(ctx)) }),
});

export const renameTeamOp = teamOp({
  id: "teams.rename",
  method: "PATCH",
  path: "/teams/{team}",
  summary: "Rename the team (its URL name stays).",
  permission: "team.rename",
  input: renameTeamInput,
  output: teamRef,
  run: (ctx, i) => renameTeam(ctx, i),
});

export const deleteTeamOp = teamOp({
  id: "teams.delete",
  method: "DELETE",
  path: "/teams/{team}",
  summary: "Delete the team and everything it owns, its hosts' logins included. `confirm` must be the team's name.",
  permission: "team.delete",
  input: z.object({ confirm: z.string({ error: "Type the team's name to confirm." }).max(200) }),
  output: z.void(),
  status: 204,
  run: (ctx, i) => deleteTeam(ctx, i),
});

// leaveTeam checks no permission (any member may leave); a token may not make its maker leave.
export const leaveTeamOp = teamOp({
  id: "teams.leave",
  method: "POST",
  path: "/teams/{team}/leave",
  summary: "Leave the team. Its last owner cannot: make someone else an owner, or delete the team.",
  permission: "team.read",
  sessionOnly: true,
  input: z.object({}),
  output: z.void(),
  status: 204,
  run: (ctx) => leaveTeam(ctx),
});

export const listAuditOp = teamOp({
  id: "audit.list",
  method: "GET",
  path: "/teams/{team}/audit",
  summary:
    "The team's audit log, newest first: `actor` (email contains), `action` (starts with), `before` (an ISO time, for the next page), `limit` (1-200, default 50). `tokenName` names the API token a change was made through.",
  permission: "audit.read",
  input: auditFilterInput,
  output: z.object({ events: z.array(auditEvent), hasMore: z.boolean() }),
  run: (ctx, i) => listAudit(ctx, i),
});

export const teamLiveOp = teamOp({
  id: "teams.live",
  method: "GET",
  path: "/teams/{team}/live",
  summary:
    "Server-sent events telling the team's pages what changed (`{ kind, hostId?, ... }`, with the change where a page can patch itself: a host's status and usage, container rows), to re-read the rest through the API. `hosts` (ids, comma-separated; empty: none) leaves out the usage and container news of every other host. The whole team's news, so tokens limited to a project or environment cannot follow it.",
  permission: "team.read",
  input: z.object({ hosts: liveHostsScope.optional() }),
  output: z.never(),
  produces: "text/event-stream",
  run: async (ctx, i, call) => teamLiveStream(ctx, call.signal, i.hosts ? new Set(i.hosts) : null),
});

export const teamOps: Operation[] = [listTeamsOp, createTeamOp, getTeamOp, renameTeamOp, deleteTeamOp, leaveTeamOp, listAuditOp, teamLiveOp];
