// The CLI talks to Berth over HTTP only: its bundle holds cli/, commander and a few pure modules, never the
// data layer, Prisma, Next or Redis (scripts/build-cli.mjs refuses anything else).
import { describe, expect, it } from "vitest";
import { buildCli } from "../../scripts/build-cli.mjs";

describe("CLI bundle", () => {
  it("holds only the CLI's own sources, commander and pure modules", async () => {
    const inputs: string[] = await buildCli({ write: false });
    expect(inputs).toContain("cli/main.ts");
    expect(inputs.filter((f) => !f.startsWith("cli/") && !f.startsWith("node_modules/commander/"))).toEqual(["lib/deploy/states.ts"]);
  });
});
