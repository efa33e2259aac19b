// The protocol handshake between Berth and a host's agent. Both sides say which wire protocol
// (lib/hosts/protocol.ts PROTOCOL_VERSION) they speak: the agent in every heartbeat, Berth in a `hello` key
// under the host's own prefix, written whenever it (re)provisions the host's Redis login. A side that meets
// another protocol does no work with the other (Berth dispatches nothing to the host and drops its other
// reports; the agent takes no jobs) and says why in words a person can act on; heartbeats keep flowing, so
// the console shows the reason.
import { z } from "zod";
import { hostKeyPrefix, PROTOCOL_VERSION } from "./protocol";

/** What Berth tells a host's agent about itself. `agentVersion`: the agent image Berth serves, if any. */
export const hello = z.object({ protocolVersion: z.number().int().min(1), agentVersion: z.string().nullable() });
export type Hello = z.infer<typeof hello>;

export function helloKey(prefix: string, hostId: string) {
  return `${hostKeyPrefix(prefix, hostId)}hello`;
}

/** Berth's side: why a host whose agent speaks `agent` gets no work, or null when it speaks ours. */
export function protocolProblem(agent: number, berth = PROTOCOL_VERSION): string | null {
  if (agent === berth) return null;
  return `This agent speaks protocol ${agent}; Berth speaks ${berth}. Update the agent from the host's page (or run the install command again).`;
}

/** The agent's side: what Berth's `hello` (raw, as stored) means for this agent. No hello (an older Berth, or
 *  one that has not provisioned this host since it restarted) or one it cannot read is no reason to stop. */
export function judgeHello(raw: string | null, agent = PROTOCOL_VERSION): { ok: true; berth: Hello | null } | { ok: false; berth: Hello; message: string } {
  if (raw === null) return { ok: true, berth: null };
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return { ok: true, berth: null };
  }
  const h = hello.safeParse(parsed);
  if (!h.success) return { ok: true, berth: null };
  if (h.data.protocolVersion === agent) return { ok: true, berth: h.data };
  const update = h.data.agentVersion ? `update it to ${h.data.agentVersion}` : "update it";
  return {
    ok: false,
    berth: h.data,
    message: `Berth speaks protocol ${h.data.protocolVersion}; this agent speaks ${agent}: ${update} from the host's page in Berth (or run the install command again). Until then it takes no jobs.`,
  };
}

/** Enough of any protocol's heartbeat to tell which protocol its agent speaks, read before the report itself:
 *  an agent of another protocol may send what this one's schema refuses. None said: protocol 1. */
export const heartbeatProtocol = z.object({
  type: z.literal("heartbeat"),
  facts: z.object({
    protocolVersion: z.number().int().min(1).max(1_000_000).optional(),
    agentVersion: z.string().max(200).optional(),
    inContainer: z.boolean().optional(),
  }),
});
