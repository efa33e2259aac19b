import { describe, expect, it } from "vitest";
import { parseDockerHost } from "@/workers/agent/docker/connect";
import { createJsonLineParser, toContainerEvent } from "@/workers/agent/docker/events";
import { cpuPercentBetween, parseMeminfo } from "@/workers/agent/docker/host-facts";

describe("parseDockerHost", () => {
  it("defaults to the system socket and reads unix:// and tcp:// forms", () => {
    expect(parseDockerHost(undefined)).toEqual({ socketPath: "/var/run/docker.sock" });
    expect(parseDockerHost("")).toEqual({ socketPath: "/var/run/docker.sock" });
    expect(parseDockerHost("unix:///run/user/1000/docker.sock")).toEqual({ socketPath: "/run/user/1000/docker.sock" });
    expect(parseDockerHost("tcp://10.0.0.5:2375")).toEqual({ host: "10.0.0.5", port: 2375 });
    expect(parseDockerHost("tcp://docker.internal")).toEqual({ host: "docker.internal", port: 2375 });
    expect(() => parseDockerHost("ssh://me@host")).toThrow(/DOCKER_HOST/);
  });
});

describe("event stream parsing", () => {
  it("reassembles JSON lines cut anywhere, including inside a multi-byte character", () => {
    const seen: unknown[] = [];
    const parser = createJsonLineParser((v) => seen.push(v));
    const text = '{"Action":"start","name":"caf\u00e9"}\n\n{"Action":"die"}\nnot json\n{"Action":"destroy"}';
    const bytes = Buffer.from(text, "utf8");
    for (let i = 0; i < bytes.length; i += 5) parser.push(bytes.subarray(i, i + 5));
    parser.end();
    expect(seen).toEqual([{ Action: "start", name: "café" }, { Action: "die" }, { Action: "destroy" }]);
  });

  it("maps a container event and skips others", () => {
    const id = "c".repeat(64);
    expect(
      toContainerEvent({ Type: "container", Action: "health_status: unhealthy", Actor: { ID: id }, time: 1714557600, timeNano: 1714557600123456000 }),
    ).toEqual({
      id,
      action: "health_status: unhealthy",
      time: 1714557600123,
    });
    expect(toContainerEvent({ Type: "network", Action: "connect", Actor: { ID: "n" } })).toBeNull();
    expect(toContainerEvent({ Type: "container" })).toBeNull();
  });
});

describe("host facts arithmetic", () => {
  it("reads MemTotal − MemAvailable in bytes", () => {
    expect(parseMeminfo("MemTotal:       1000 kB\nMemFree:   10 kB\nMemAvailable:    250 kB\n")).toEqual({ total: 1_024_000, used: 768_000 });
    expect(parseMeminfo("MemTotal: 1000 kB\n")).toBeNull();
  });

  it("gives the busy share of all cores between two readings", () => {
    expect(cpuPercentBetween({ busy: 100, total: 1000 }, { busy: 350, total: 2000 })).toBe(25);
    expect(cpuPercentBetween({ busy: 100, total: 1000 }, { busy: 100, total: 1000 })).toBe(0);
  });
});
