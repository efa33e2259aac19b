// What the CLI prints: server text cleaned of terminal escapes, and `berth status` as a table.
import { describe, expect, it } from "vitest";
import { type TeamStatus, ago, formatStatus } from "@/cli/status-table";
import { cleanLine } from "@/cli/text";

describe("server text on a terminal", () => {
  it("keeps colours only when asked and drops every other escape and control character", () => {
    const line = "\x1b[32mok\x1b[0m\tstep\x1b]0;pwned\x07\x1b[2J\x1b[1;1H\r done\x07\x1bc\x1b(B\x9b";
    expect(cleanLine(line, true)).toBe("\x1b[32mok\x1b[0m\tstep done");
    expect(cleanLine(line, false)).toBe("ok\tstep done");
    expect(cleanLine("\x1b]52;c;Y29weQ==\x1b\\clip", true)).toBe("clip");
    expect(cleanLine("multi\nline é ▸", false)).toBe("multi\nline é ▸");
  });
});

describe("status table", () => {
  const now = new Date("2025-01-01T12:00:00Z");
  const status: TeamStatus = {
    team: { slug: "acme", name: "Acme" },
    hosts: [
      { id: "h1", name: "edge-1", status: "ONLINE", lastSeenAt: "2025-01-01T11:59:55Z" },
      { id: "h2", name: "old", status: "OFFLINE", lastSeenAt: null },
    ],
    projects: [
      {
        slug: "shop",
        name: "Shop",
        environments: [
          {
            slug: "staging",
            name: "Staging",
            protected: false,
            services: [
              {
                id: "s1",
                name: "web",
                kind: "git",
                host: "edge-1",
                live: { number: 3, status: "LIVE", commitSha: "0123456789abcdef", image: null, finishedAt: null },
                latest: { id: "d4", number: 4, status: "BUILDING", createdAt: "2025-01-01T11:59:00Z" },
              },
            ],
          },
          {
            slug: "production",
            name: "Production",
            protected: true,
            services: [{ id: "s2", name: "cache", kind: "image", host: null, live: null, latest: null }],
          },
        ],
      },
    ],
  };

  it("lists hosts, then each service with its live release and latest deployment", () => {
    expect(formatStatus(status, now)).toBe(
      [
        "Team Acme (acme)",
        "",
        "HOST    STATUS   LAST SEEN",
        "edge-1  ONLINE   5s ago",
        "old     OFFLINE  never",
        "",
        "SERVICE                            KIND   HOST    LIVE        LATEST",
        "shop/staging/web                   git    edge-1  #3 0123456  #4 BUILDING",
        "shop/production/cache (protected)  image  -       -           -",
      ].join("\n"),
    );
  });

  it("says when there is nothing", () => {
    expect(formatStatus({ team: status.team, hosts: [], projects: [] }, now)).toBe("Team Acme (acme)\n\nNo hosts.\n\nNo projects.");
  });

  it("says how long ago in the largest whole unit", () => {
    expect(["2025-01-01T11:59:01Z", "2025-01-01T11:01:00Z", "2024-12-31T13:00:00Z", "2024-12-25T12:00:00Z"].map((t) => ago(t, now))).toEqual([
      "59s ago",
      "59m ago",
      "23h ago",
      "7d ago",
    ]);
  });
});
