import { describe, expect, it } from "vitest";
import { checkedPort, deployStrategy, pullsEveryTime } from "@/lib/deploy/image-rules";
import { plannedSteps } from "@/lib/deploy/states";

const tcp = (container: number, host: number | null = null) => ({ container, host, protocol: "tcp" as const });

describe("how an image service deploys", () => {
  it("switches beside the old container unless a host port or a writable volume allows only one", () => {
    expect(deployStrategy({ ports: [tcp(80)], volumes: [{ source: "static", target: "/www", readOnly: true }] })).toEqual({ strategy: "switch", reason: null });
    expect(deployStrategy({ ports: [tcp(80, 8080)], volumes: [] })).toEqual({
      strategy: "recreate",
      reason: "host port 8080/tcp can be published by one container at a time",
    });
    expect(deployStrategy({ ports: [{ container: 53, host: 53, protocol: "udp" }], volumes: [] }).strategy).toBe("recreate");
    expect(deployStrategy({ ports: [], volumes: [{ source: "data", target: "/var/lib/postgresql/data", readOnly: false }] })).toEqual({
      strategy: "recreate",
      reason: "volume data is writable, and two containers must not write it at once",
    });
  });

  it("pulls latest (or no tag) every time, another tag or a digest once", () => {
    for (const ref of ["nginx", "nginx:latest", "library/nginx", "registry.example.com:5000/team/api", "registry.example.com:5000/team/api:latest"])
      expect(pullsEveryTime(ref), ref).toBe(true);
    for (const ref of ["nginx:1.27", "registry.example.com:5000/team/api:2", `nginx@sha256:${"a".repeat(64)}`, `nginx:latest@sha256:${"b".repeat(64)}`])
      expect(pullsEveryTime(ref), ref).toBe(false);
  });

  it("checks the port behind the proxy, else the first TCP port, else none", () => {
    expect(checkedPort(3000, [tcp(80)])).toBe(3000);
    expect(checkedPort(null, [{ container: 53, host: null, protocol: "udp" }, tcp(5432)])).toBe(5432);
    expect(checkedPort(null, [{ container: 53, host: null, protocol: "udp" }])).toBeNull();
  });

  it("plans a pull instead of clone and build, and nothing of either for a reused image", () => {
    expect(plannedSteps(false, "image")).toEqual(["QUEUED", "PULLING", "STARTING", "HEALTH_CHECK"]);
    expect(plannedSteps(false, "git")).toEqual(["QUEUED", "CLONING", "BUILDING", "STARTING", "HEALTH_CHECK"]);
    expect(plannedSteps(true, "image")).toEqual(["QUEUED", "STARTING", "HEALTH_CHECK"]);
  });
});
