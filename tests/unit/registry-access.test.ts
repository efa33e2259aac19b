import { describe, expect, it } from "vitest";
import { grantForHost, parseScopes } from "@/lib/registry/access";

const host = { id: "hosta1", teamId: "team1" };

describe("registry scopes", () => {
  it("parses repository scopes, several per request, and drops what is not one", () => {
    expect(
      parseScopes(["repository:team1/hosta1/svc:pull,push", "repository:team1/hostb/svc:pull", "registry:catalog:*", "repository::pull", "nonsense"]),
    ).toEqual([
      { type: "repository", name: "team1/hosta1/svc", actions: ["pull", "push"] },
      { type: "repository", name: "team1/hostb/svc", actions: ["pull"] },
    ]);
    expect(parseScopes(["repository:Team1/X/svc:pull", "repository:team1/../svc:pull", "repository:team1/a/b:fly"])).toEqual([]);
    expect(parseScopes(["repository:a/b/c:*"])[0]!.actions).toEqual(["pull", "push", "delete"]);
  });
});

describe("what a host may do", () => {
  const ask = (...scopes: string[]) => grantForHost(host, parseScopes(scopes));

  it("pushes and pulls under its own id", () => {
    expect(ask("repository:team1/hosta1/svc:pull,push")).toEqual([{ type: "repository", name: "team1/hosta1/svc", actions: ["pull", "push"] }]);
  });

  it("pulls, but never pushes, another host's releases of its team", () => {
    expect(ask("repository:team1/hostb/svc:pull,push")).toEqual([{ type: "repository", name: "team1/hostb/svc", actions: ["pull"] }]);
  });

  it("gets nothing of another team, outside the <team>/<host>/<service> shape, or to delete", () => {
    expect(
      ask("repository:team2/hosta1/svc:pull,push", "repository:team1/hosta1:pull", "repository:team1/hosta1/a/b:pull", "repository:team1/hosta1/svc:delete"),
    ).toEqual([]);
    expect(grantForHost({ id: "hosta1", teamId: null }, parseScopes(["repository:team1/hosta1/svc:pull"]))).toEqual([]);
  });
});
