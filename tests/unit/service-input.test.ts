// A service's settings as forms send them (text) and as JSON clients send them (numbers, lists, objects):
// both give the same, and parsing twice changes nothing, so an operation hands its parsed input on to the
// data layer, which parses it again.
import { describe, expect, it } from "vitest";
import { openApiDocument } from "@/lib/api/openapi";
import { serviceOps } from "@/lib/api/operations/services";
import { variableOps } from "@/lib/api/operations/variables";
import { gitServiceInput } from "@/lib/data/git-services";
import { serviceInput } from "@/lib/data/services";

const fromForm = {
  name: "api",
  image: "nginx:1.27",
  command: "sleep\n3600",
  ports: "8080:80\n53/udp",
  volumes: "data:/var/lib/data\ncache:/cache:ro",
  restartPolicy: "always",
  hostId: "",
  httpPort: "80",
  healthPath: "/healthz",
  healthTimeoutSec: "",
  domains: "a.example.com, b.example.com",
  keepReleases: "5",
};

describe("image service settings", () => {
  it("reads a form's text and JSON's structures alike", () => {
    const form = serviceInput.parse(fromForm);
    expect(form.ports).toEqual([
      { host: 8080, container: 80, protocol: "tcp" },
      { host: null, container: 53, protocol: "udp" },
    ]);
    expect(form.volumes).toEqual([
      { source: "data", target: "/var/lib/data", readOnly: false },
      { source: "cache", target: "/cache", readOnly: true },
    ]);
    const json = serviceInput.parse({
      ...fromForm,
      command: ["sleep", "3600"],
      ports: [
        { host: 8080, container: 80 },
        { container: 53, protocol: "udp" },
      ],
      volumes: [{ source: "data", target: "/var/lib/data" }, "cache:/cache:ro"],
      httpPort: 80,
      domains: ["a.example.com", "b.example.com"],
      keepReleases: 5,
    });
    expect(json).toEqual(form);
    expect(serviceInput.parse({ ...fromForm, ports: [80] }).ports).toEqual([{ host: null, container: 80, protocol: "tcp" }]);
  });

  it("gives the same when parsed twice", () => {
    const once = serviceInput.parse(fromForm);
    expect(serviceInput.parse(once)).toEqual(once);
  });

  it("says which port or volume is wrong, whichever way it came", () => {
    const bad = (input: object) => serviceInput.safeParse({ ...fromForm, ...input }).error?.issues.map((i) => i.message);
    expect(bad({ ports: "80:http" })).toEqual(['"80:http" is not a port: use CONTAINER, or HOST:CONTAINER, with /tcp or /udp.']);
    expect(bad({ ports: [{ container: 70000 }] })?.[0]).toContain("is not a port");
    expect(bad({ volumes: [{ source: "/etc", target: "/x" }] })?.[0]).toContain("host paths are not allowed");
    expect(bad({ volumes: "data:/x:rx" })).toEqual(['"data:/x:rx": the mode is ro or rw.']);
  });
});

describe("git service settings", () => {
  it("gives the same when parsed twice", () => {
    const once = gitServiceInput.parse({
      name: "web",
      gitUrl: "https://github.com/acme/web.git",
      gitBranch: "main",
      gitSubdir: "apps/web",
      dockerfile: "",
      httpPort: "3000",
      domains: "",
      gitAuth: "token",
      token: "ghp_abc",
    });
    expect(once.dockerfile).toBe("Dockerfile");
    expect(gitServiceInput.parse(once)).toEqual(once);
  });
});

describe("the services' and variables' operations in the API document", () => {
  const doc = JSON.stringify(openApiDocument([...serviceOps, ...variableOps]));

  it("describes every one, and no credential column", () => {
    for (const op of [...serviceOps, ...variableOps]) expect(doc).toContain(`"operationId":"${op.id}"`);
    for (const column of ["gitCredential", "webhookSecret", "sealed", "deployedConfig", "gitHostKeyOffer", "tokenHash"])
      expect(doc).not.toContain(`"${column}":`);
  });

  it("holds team-wide variables to config.team and limits no other place's to the team", () => {
    const team = variableOps.filter((o) => o.id.startsWith("variables.team."));
    expect(team.map((o) => (o.kind === "team" ? [o.permission, Boolean(o.targets)] : null))).toEqual([
      ["project.read", false],
      ["config.team", false],
      ["config.team", false],
      ["project.read", false],
      ["config.team", false],
    ]);
    const placed = [...serviceOps, ...variableOps].filter((o) => !o.id.startsWith("variables.team."));
    expect(placed.filter((o) => o.kind === "team" && !o.targets).map((o) => o.id)).toEqual([]);
  });
});
