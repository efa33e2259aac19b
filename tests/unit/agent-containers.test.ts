import type Dockerode from "dockerode";
import { describe, expect, it } from "vitest";
import { containerSummary } from "@/lib/hosts/protocol";
import { describeState, humanDuration, isoTime, portsOf, summaryFromInspect } from "@/workers/agent/docker/containers";

const NOW = Date.parse("2024-05-01T12:00:00Z");
const ZERO = "0001-01-01T00:00:00Z";
const base = { Status: "running", Running: true, Paused: false, Restarting: false, Dead: false, ExitCode: 0, StartedAt: ZERO, FinishedAt: ZERO };

describe("container status text", () => {
  it("follows go-units' HumanDuration", () => {
    expect(humanDuration(400)).toBe("Less than a second");
    expect(humanDuration(1_000)).toBe("1 second");
    expect(humanDuration(59_000)).toBe("59 seconds");
    expect(humanDuration(90_000)).toBe("About a minute");
    expect(humanDuration(5 * 60_000)).toBe("5 minutes");
    expect(humanDuration(60 * 60_000)).toBe("About an hour");
    expect(humanDuration(5 * 3_600_000)).toBe("5 hours");
    expect(humanDuration(3 * 86_400_000)).toBe("3 days");
  });

  it("reads like docker ps", () => {
    const started = "2024-05-01T11:55:00Z";
    expect(describeState({ ...base, StartedAt: started }, NOW)).toBe("Up 5 minutes");
    expect(describeState({ ...base, StartedAt: started, Health: { Status: "starting" } }, NOW)).toBe("Up 5 minutes (health: starting)");
    expect(describeState({ ...base, StartedAt: started, Health: { Status: "unhealthy" } }, NOW)).toBe("Up 5 minutes (unhealthy)");
    expect(describeState({ ...base, Status: "paused", Paused: true, StartedAt: started }, NOW)).toBe("Up 5 minutes (Paused)");
    expect(describeState({ ...base, Status: "created", Running: false }, NOW)).toBe("Created");
    expect(describeState({ ...base, Status: "exited", Running: false, ExitCode: 137, StartedAt: started, FinishedAt: "2024-05-01T11:59:57.5Z" }, NOW)).toBe(
      "Exited (137) 2 seconds ago",
    );
  });

  it("maps Docker's zero time to null", () => {
    expect(isoTime(ZERO)).toBeNull();
    expect(isoTime("2024-05-01T10:00:00.123456789Z")).toBe("2024-05-01T10:00:00.123Z");
  });
});

describe("portsOf", () => {
  it("gives one entry per binding and null for unpublished ports", () => {
    expect(
      portsOf({
        "8080/tcp": [
          { HostIp: "0.0.0.0", HostPort: "18080" },
          { HostIp: "::", HostPort: "18080" },
        ],
        "53/udp": null,
        "9000/tcp": [],
      }),
    ).toEqual([
      { privatePort: 53, publicPort: null, type: "udp", ip: null },
      { privatePort: 8080, publicPort: 18080, type: "tcp", ip: "0.0.0.0" },
      { privatePort: 8080, publicPort: 18080, type: "tcp", ip: "::" },
      { privatePort: 9000, publicPort: null, type: "tcp", ip: null },
    ]);
  });
});

describe("summaryFromInspect", () => {
  it("builds a valid ContainerSummary from an exited container", () => {
    const info = {
      Id: "a".repeat(64),
      Name: "/web",
      Created: "2024-05-01T11:00:00.5Z",
      Path: "sh",
      Args: ["-c", "exit 3"],
      Image: `sha256:${"b".repeat(64)}`,
      State: { ...base, Status: "exited", Running: false, ExitCode: 3, StartedAt: "2024-05-01T11:00:01Z", FinishedAt: "2024-05-01T11:00:02Z" },
      Config: { Image: "berth/web:1", Labels: { app: "web" } },
      HostConfig: { RestartPolicy: { Name: "", MaximumRetryCount: 0 } },
      NetworkSettings: { Ports: {} },
    } as unknown as Dockerode.ContainerInspectInfo;
    const s = containerSummary.parse(summaryFromInspect(info, NOW));
    expect(s).toMatchObject({
      name: "web",
      image: "berth/web:1",
      command: "sh -c exit 3",
      state: "exited",
      status: "Exited (3) 59 minutes ago",
      health: null,
      createdAt: "2024-05-01T11:00:00.500Z",
      startedAt: "2024-05-01T11:00:01.000Z",
      finishedAt: "2024-05-01T11:00:02.000Z",
      exitCode: 3,
      restartPolicy: "no",
      labels: { app: "web" },
    });
  });
});
