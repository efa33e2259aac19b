// Which reference a release is pulled by on another host, and why there is none: the refusals a person reads
// beside the Promote and Roll back buttons.
import { describe, expect, it } from "vitest";
import { pullableRef, releaseRef } from "@/lib/data/deployments/registry";
import { ValidationError } from "@/lib/errors";
import { deploymentSpec } from "@/lib/hosts/deployment-spec";
import { hostReport } from "@/lib/hosts/protocol";

const registry = { address: "berth.example.com:5000", ca: "-----BEGIN CERTIFICATE-----\n…" };
const digest = `sha256:${"a".repeat(64)}`;
const pushedRelease = { number: 3, registryRepo: "team1/host1/svc1", imageDigest: digest, pushError: null };

describe("a release in Berth's registry", () => {
  it("is pulled by its digest, never by a tag", () => {
    expect(releaseRef(pushedRelease, registry)).toBe(`berth.example.com:5000/team1/host1/svc1@${digest}`);
    expect(pullableRef(pushedRelease, registry)).toBe(`berth.example.com:5000/team1/host1/svc1@${digest}`);
  });

  it("says why a release cannot reach another host", () => {
    const refusal = (r: Parameters<typeof pullableRef>[0], reg: typeof registry | null) => {
      try {
        pullableRef(r, reg);
      } catch (e) {
        expect(e).toBeInstanceOf(ValidationError);
        return (e as Error).message;
      }
      throw new Error("not refused");
    };
    expect(refusal({ ...pushedRelease, imageDigest: null, registryRepo: null, pushError: "HTTP 401" }, registry)).toMatch(
      /^#3's image is on another host and not in Berth's registry: its push failed \(HTTP 401\)/,
    );
    expect(refusal({ ...pushedRelease, imageDigest: null, registryRepo: null }, registry)).toMatch(/not in Berth's registry yet/);
    expect(refusal(pushedRelease, null)).toMatch(/this Berth has no registry/);
    expect(releaseRef({ ...pushedRelease, imageDigest: null }, registry)).toBeNull();
  });

  it("is named exactly in the spec and the release report", () => {
    const source = { kind: "image", imageId: digest, pull: { ref: `berth.example.com:5000/team1/host1/svc1@${digest}`, always: true } };
    expect(deploymentSpec.shape.source.safeParse(source).success).toBe(true);
    for (const ref of ["berth.example.com:5000/team1/host1/svc1:3", `berth.example.com:5000/../x@${digest}`, `docker.io/library/busybox@${digest}x`])
      expect(deploymentSpec.shape.source.safeParse({ ...source, pull: { ref, always: true } }).success, ref).toBe(false);
    const at = new Date().toISOString();
    expect(hostReport.safeParse({ type: "release", at, deploymentId: "d1", repository: "team1/host1/svc1", digest }).success).toBe(true);
    expect(hostReport.safeParse({ type: "release", at, deploymentId: "d1", error: "Berth's registry at x did not answer" }).success).toBe(true);
    expect(hostReport.safeParse({ type: "release", at, deploymentId: "d1", repository: "Team/../x", digest }).success).toBe(false);
  });
});
