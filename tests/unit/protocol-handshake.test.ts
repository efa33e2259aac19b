// The protocol handshake's pure parts (lib/hosts/handshake.ts): what each side concludes from the other's word.
import { describe, expect, it } from "vitest";
import { heartbeatProtocol, judgeHello, protocolProblem } from "@/lib/hosts/handshake";
import { hostReport, PROTOCOL_VERSION } from "@/lib/hosts/protocol";

describe("Berth's side", () => {
  it("has no problem with an agent of its own protocol, and names both protocols otherwise", () => {
    expect(protocolProblem(PROTOCOL_VERSION)).toBeNull();
    expect(protocolProblem(1, 2)).toBe(
      "This agent speaks protocol 1; Berth speaks 2. Update the agent from the host's page (or run the install command again).",
    );
    expect(protocolProblem(3, 2)).toMatch(/^This agent speaks protocol 3; Berth speaks 2\./);
  });

  it("reads the protocol of any heartbeat, and takes none said as protocol 1", () => {
    const old = { type: "heartbeat", at: "2026-01-01T00:00:00Z", facts: { agentVersion: "0.1.0", dockerVersion: "20.10" } };
    expect(heartbeatProtocol.parse(old).facts.protocolVersion ?? 1).toBe(1);
    // A full protocol-1 heartbeat still parses as a report, with protocol 1 and not in a container.
    const full = {
      ...old,
      facts: { ...old.facts, apiVersion: "1.41", os: "Debian", kernel: "6", cpuCount: 2, cpuPercent: 1, memTotalBytes: 1, memUsedBytes: 1, images: 0 },
    };
    const parsed = hostReport.parse(full);
    expect(parsed.type === "heartbeat" && [parsed.facts.protocolVersion, parsed.facts.inContainer]).toEqual([1, false]);
    // A newer agent's heartbeat, whatever else it carries.
    const newer = { type: "heartbeat", facts: { protocolVersion: 9, somethingNew: [1, 2] } };
    expect(heartbeatProtocol.parse(newer).facts.protocolVersion).toBe(9);
    expect(heartbeatProtocol.safeParse({ type: "snapshot", containers: [] }).success).toBe(false);
  });
});

describe("the agent's side", () => {
  const hello = (protocolVersion: number, agentVersion: string | null = null) => JSON.stringify({ protocolVersion, agentVersion });

  it("takes jobs from a Berth of its protocol, and from one that said nothing or something unreadable", () => {
    expect(judgeHello(hello(PROTOCOL_VERSION))).toEqual({ ok: true, berth: { protocolVersion: PROTOCOL_VERSION, agentVersion: null } });
    expect(judgeHello(null).ok).toBe(true);
    expect(judgeHello("not json").ok).toBe(true);
    expect(judgeHello(JSON.stringify({ protocolVersion: "2" })).ok).toBe(true);
  });

  it("refuses jobs from a Berth of another protocol, saying what to do", () => {
    const v = judgeHello(hello(3, "0.3.0-abc"), 2);
    expect(v.ok).toBe(false);
    expect(!v.ok && v.message).toBe(
      "Berth speaks protocol 3; this agent speaks 2: update it to 0.3.0-abc from the host's page in Berth (or run the install command again). Until then it takes no jobs.",
    );
    const w = judgeHello(hello(1), 2);
    expect(!w.ok && w.message).toMatch(/^Berth speaks protocol 1; this agent speaks 2: update it from the host's page/);
  });
});
