// The paged host and container lists, through the data layer and the JSON API's chain: pages in name order with
// the total, search and filters in the query, container counts for the hosts on the page, another team's hosts
// never listed, and bad paging refused with a 400 that names the field.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { invoke } from "@/lib/api/invoke";
import type { Operation } from "@/lib/api/operation";
import { listContainersOp, listHostsOp } from "@/lib/api/operations/hosts";
import type { Principal } from "@/lib/api/principal";
import type { TeamContext } from "@/lib/data/context";
import { listContainers } from "@/lib/data/containers";
import { HOST_CHOICES_LISTED, hostChoices, listHosts } from "@/lib/data/hosts";
import { db } from "@/lib/db";
import { NotFoundError, ValidationError } from "@/lib/errors";
import { closeAdminRedis } from "@/lib/redis/admin";
import { type FakeContainer, insertContainers, insertHosts } from "../support/list-rows";
import { addMember, makeTeam } from "./support/factory";

let owner: TeamContext;
let other: TeamContext;
let bigHost: string;
let containers: FakeContainer[];

const session = (ctx: TeamContext): Principal => ({ kind: "session", user: ctx.actor, sessionId: "test-session" });
// biome-ignore lint/suspicious/noExplicitAny: each answer is held to what the test expects of it
const call = (op: Operation, ctx: TeamContext, input: Record<string, unknown> = {}): Promise<any> =>
  invoke(op, session(ctx), { team: ctx.team.slug, input: () => input }, { ip: "127.0.0.1" });
const names = (rows: { name: string }[]) => rows.map((r) => r.name);

beforeAll(async () => {
  owner = await makeTeam();
  other = await makeTeam();
  // 120 hosts: web-001…web-100 (every tenth offline) and db-01…db-20 (pending).
  const hosts = await insertHosts(owner.team.id, [
    ...Array.from({ length: 100 }, (_, i) => ({
      name: `web-${String(i + 1).padStart(3, "0")}`,
      status: (i + 1) % 10 === 0 ? ("OFFLINE" as const) : ("ONLINE" as const),
    })),
    ...Array.from({ length: 20 }, (_, i) => ({ name: `db-${String(i + 1).padStart(2, "0")}`, status: "PENDING" as const })),
  ]);
  bigHost = hosts.find((h) => h.name === "web-001")!.id;
  containers = await insertContainers(bigHost, 250);
  await insertContainers(hosts.find((h) => h.name === "web-002")!.id, 3, "other");
  // Another team's hosts share names with ours: they must never show.
  await insertHosts(other.team.id, [{ name: "web-001" }, { name: "web-050" }, { name: "zeta" }]);
}, 60_000);

afterAll(async () => {
  await db.host.deleteMany({ where: { teamId: { in: [owner.team.id, other.team.id] } } });
  await closeAdminRedis();
});

describe("listHosts", () => {
  it("pages by name with the total, counting containers only for the hosts on the page", async () => {
    const first = await listHosts(owner);
    expect(first).toMatchObject({ total: 120, page: 1, limit: 50 });
    expect(names(first.items).slice(0, 3)).toEqual(["db-01", "db-02", "db-03"]);
    expect(first.items).toHaveLength(50);
    const third = await listHosts(owner, { page: 3, limit: 50 });
    expect(names(third.items)).toEqual(Array.from({ length: 20 }, (_, i) => `web-${String(i + 81).padStart(3, "0")}`));
    const withBig = first; // db-01…db-20, then web-001…web-030
    expect(withBig.items.find((h) => h.name === "web-001")!.containers).toEqual({ running: 200, exited: 50 });
    expect(withBig.items.find((h) => h.name === "web-002")!.containers).toEqual({ running: 3 });
    expect(withBig.items.find((h) => h.name === "web-003")!.containers).toEqual({});
    // Past the last page: nothing, and still the total.
    expect(await listHosts(owner, { page: 4 })).toMatchObject({ items: [], total: 120, page: 4 });
  });

  it("searches the name and filters by status in the query", async () => {
    const search = await listHosts(owner, { q: "WEB-00" });
    expect(names(search.items)).toEqual(["web-001", "web-002", "web-003", "web-004", "web-005", "web-006", "web-007", "web-008", "web-009"]);
    const offline = await listHosts(owner, { status: "OFFLINE", limit: 5 });
    expect(offline).toMatchObject({ total: 10, limit: 5 });
    expect(names(offline.items)).toEqual(["web-010", "web-020", "web-030", "web-040", "web-050"]);
    const both = await listHosts(owner, { status: "PENDING", q: "1" });
    expect(names(both.items)).toEqual(["db-01", "db-10", "db-11", "db-12", "db-13", "db-14", "db-15", "db-16", "db-17", "db-18", "db-19"]);
    expect(both.total).toBe(11);
  });

  it("never lists another team's hosts, and gives a choice of all the team's hosts", async () => {
    const theirs = await listHosts(other, { limit: 500 });
    expect(names(theirs.items)).toEqual(["web-001", "web-050", "zeta"]);
    const ours = await listHosts(owner, { q: "zeta" });
    expect(ours).toMatchObject({ items: [], total: 0 });
    const ourIds = new Set((await listHosts(owner, { limit: 500 })).items.map((h) => h.id));
    for (const h of theirs.items) expect(ourIds.has(h.id)).toBe(false);
    // A form lists the first 50 (and the current choice), with the total: past 50 it searches instead.
    const choices = await hostChoices(owner);
    expect(choices.total).toBe(120);
    expect(choices.hosts).toHaveLength(HOST_CHOICES_LISTED);
    const last = ourIds.size ? [...ourIds].find((id) => !choices.hosts.some((h) => h.id === id))! : "";
    const withCurrent = await hostChoices(owner, [last, null, theirs.items[0]!.id]); // another team's id names nothing
    expect(withCurrent.hosts.map((h) => h.id)).toEqual([...choices.hosts.map((h) => h.id), last]);
    // A viewer reads the list too.
    expect((await listHosts(await addMember(owner, "VIEWER"), { limit: 1 })).total).toBe(120);
  });

  it("answers the same page through the API, and refuses bad paging with a 400 naming the field", async () => {
    const page = await call(listHostsOp, owner, { q: "web", status: "ONLINE", page: "2", limit: "10" });
    expect(page).toMatchObject({ total: 90, page: 2, limit: 10 });
    expect(names(page.hosts)).toEqual(["web-012", "web-013", "web-014", "web-015", "web-016", "web-017", "web-018", "web-019", "web-021", "web-022"]);
    expect(typeof page.hosts[0].memTotalBytes === "number" || page.hosts[0].memTotalBytes === null).toBe(true);
    for (const [input, field, words] of [
      [{ page: "-1" }, "page", /page: 1 or more/],
      [{ page: "two" }, "page", /page: a page number/],
      [{ limit: "100000" }, "limit", /limit: at most 500/],
      [{ limit: "0" }, "limit", /limit: at least 1/],
      [{ status: "ASLEEP" }, "status", /status: one of PENDING, ONLINE, OFFLINE/],
      [{ q: "x".repeat(101) }, "q", /q: at most 100/],
    ] as const) {
      const error = await call(listHostsOp, owner, input).catch((e) => e);
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).fields[field]?.[0]).toMatch(words);
    }
  });
});

describe("listContainers", () => {
  it("pages a host's containers by name with the total", async () => {
    const first = await listContainers(owner, bigHost);
    expect(first).toMatchObject({ total: 250, page: 1, limit: 100 });
    expect(names(first.items)).toEqual(containers.slice(0, 100).map((c) => c.name));
    const last = await listContainers(owner, bigHost, { page: 3 });
    expect(names(last.items)).toEqual(containers.slice(200).map((c) => c.name));
    expect(await listContainers(owner, bigHost, { page: 9 })).toMatchObject({ items: [], total: 250 });
  });

  it("searches name, image or the start of the id, and filters by state, in the query", async () => {
    const exited = await listContainers(owner, bigHost, { state: "exited", limit: 10 });
    expect(exited.total).toBe(50);
    expect(names(exited.items)).toEqual([
      "app-0005",
      "app-0010",
      "app-0015",
      "app-0020",
      "app-0025",
      "app-0030",
      "app-0035",
      "app-0040",
      "app-0045",
      "app-0050",
    ]);
    expect((await listContainers(owner, bigHost, { q: "APP-02" })).total).toBe(51); // app-0200…app-0250
    expect((await listContainers(owner, bigHost, { q: "redis" })).total).toBe(125);
    expect((await listContainers(owner, bigHost, { q: "redis", state: "exited" })).total).toBe(25);
    const one = containers[41]!;
    expect(names((await listContainers(owner, bigHost, { q: one.dockerId.slice(0, 12).toUpperCase() })).items)).toEqual([one.name]);
  });

  it("is not found for another team's member, and answers the API with the same page or a 400", async () => {
    await expect(listContainers(other, bigHost)).rejects.toBeInstanceOf(NotFoundError);
    const page = await call(listContainersOp, owner, { hostId: bigHost, state: "running", page: "2", limit: "50" });
    expect(page).toMatchObject({ total: 200, page: 2, limit: 50 });
    expect(page.containers).toHaveLength(50);
    expect(page.containers[0]).not.toHaveProperty("id");
    for (const [input, field] of [
      [{ page: "0" }, "page"],
      [{ limit: "501" }, "limit"],
      [{ state: "sleeping" }, "state"],
    ] as const) {
      const error = await call(listContainersOp, owner, { hostId: bigHost, ...input }).catch((e) => e);
      expect(error).toBeInstanceOf(ValidationError);
      expect(Object.keys((error as ValidationError).fields)).toEqual([field]);
    }
    await expect(call(listContainersOp, other, { hostId: bigHost })).rejects.toBeInstanceOf(NotFoundError);
  });
});
