// How host and container pages take live messages: what patches in place, what asks for one server re-render;
// the page links of a paged list; and the lenient reading of a list's URL.
import { describe, expect, it } from "vitest";
import { concerns } from "@/components/live/live-refresh";
import { type ContainerRow, type ContainersView, containersNews, mergeNewer } from "@/components/live/patch-containers";
import { type HostRow, hostNews, hostsNews } from "@/components/live/patch-hosts";
import { pageHref, pageWindow } from "@/components/ui/pagination";
import { type LiveMessage, type LiveNews, liveHostsScope, scopeMessage } from "@/lib/live/channels";
import { containerListQuery, fromSearchParams, hostListQuery } from "@/lib/validation/list-query";

const host = (id: string, over: Partial<HostRow> = {}): HostRow => ({
  id,
  name: id,
  isLocal: false,
  status: "ONLINE",
  statusSince: "2025-01-01T00:00:00.000Z",
  lastHeartbeatAt: "2025-01-01T00:00:00.000Z",
  lastSnapshotAt: null,
  cpuCount: 2,
  cpuPercent: 1,
  memTotalBytes: 100,
  memUsedBytes: 10,
  agentVersion: "v1",
  dockerVersion: "27",
  protocolProblem: null,
  containers: { running: 1 },
  ...over,
});

const row = (name: string, over: Partial<ContainerRow> = {}): ContainerRow => ({
  dockerId: `id-${name}`,
  name,
  image: "nginx",
  state: "running",
  status: "Up",
  health: null,
  ports: [],
  labels: {},
  reportedAt: "2025-01-01T00:00:10.000Z",
  act: true,
  ...over,
});

const view = (over: Partial<ContainersView> = {}): ContainersView => ({
  rows: [row("b"), row("c"), row("d")],
  total: 30,
  firstPage: false,
  lastPage: false,
  ...over,
});

const at = 0;
const upsert = (...rows: ContainerRow[]): LiveMessage => ({ kind: "containers", hostId: "h", upserted: rows.map(({ act: _, ...c }) => c), at });

describe("hosts page", () => {
  it("patches usage of hosts in view and ignores others, without a re-render", () => {
    const rows = [host("a"), host("b")];
    const news = hostsNews(rows, undefined, {
      kind: "hosts",
      hosts: [
        { id: "b", cpuPercent: 55 },
        { id: "zz", cpuPercent: 9 },
      ],
      at,
    });
    expect(news.refresh).toBe(false);
    expect(news.rows.map((r) => r.cpuPercent)).toEqual([1, 55]);
    expect(rows[1]!.cpuPercent).toBe(1); // not mutated
  });

  it("re-renders for a host message without a patch, and for status moving across the filter", () => {
    const rows = [host("a", { status: "OFFLINE" })];
    expect(hostsNews(rows, undefined, { kind: "host", hostId: "x", at }).refresh).toBe(true);
    expect(hostsNews(rows, "OFFLINE", { kind: "host", hostId: "a", host: { id: "a", status: "ONLINE" }, at }).refresh).toBe(true);
    expect(hostsNews(rows, "OFFLINE", { kind: "host", hostId: "q", host: { id: "q", status: "OFFLINE" }, at }).refresh).toBe(true);
    expect(hostsNews(rows, "OFFLINE", { kind: "host", hostId: "q", host: { id: "q", status: "ONLINE" }, at }).refresh).toBe(false);
    const counted = hostsNews(rows, undefined, { kind: "host", hostId: "a", host: { id: "a", containers: { running: 4, exited: 1 } }, at });
    expect(counted).toMatchObject({ refresh: false, rows: [{ containers: { running: 4, exited: 1 } }] });
  });

  it("the host page patches usage and re-renders for a new status, agent or protocol", () => {
    const h = host("a");
    expect(hostNews(h, { kind: "hosts", hosts: [{ id: "a", memUsedBytes: 50, status: "ONLINE" }], at })).toMatchObject({
      refresh: false,
      rows: { memUsedBytes: 50 },
    });
    expect(hostNews(h, { kind: "host", hostId: "a", host: { id: "a", status: "OFFLINE" }, at }).refresh).toBe(true);
    expect(hostNews(h, { kind: "host", hostId: "a", host: { id: "a", protocolProblem: "speaks 3" }, at }).refresh).toBe(true);
    expect(hostNews(h, { kind: "host", hostId: "a", at }).refresh).toBe(true);
    expect(hostNews(h, { kind: "host", hostId: "b", at })).toEqual({ rows: h, refresh: false });
  });
});

describe("a host's containers page", () => {
  it("replaces a row in view with a newer report and keeps the viewer's rights", () => {
    const news = containersNews(view(), "h", upsert(row("c", { state: "exited", status: "Exited (0)", reportedAt: "2025-01-01T00:00:11.000Z", act: false })));
    expect(news.refresh).toBe(false);
    expect(news.rows.rows[1]).toMatchObject({ name: "c", state: "exited", act: true });
    // An older report than shown changes nothing.
    const stale = containersNews(news.rows, "h", upsert(row("c", { reportedAt: "2025-01-01T00:00:01.000Z" })));
    expect(stale.rows.rows[1]!.state).toBe("exited");
  });

  it("drops removed rows and counts them out of the total", () => {
    const news = containersNews(view(), "h", { kind: "containers", hostId: "h", removed: ["id-c", "id-elsewhere"], at });
    expect(news).toMatchObject({ refresh: false, rows: { total: 29 } });
    expect(news.rows.rows.map((r) => r.name)).toEqual(["b", "d"]);
  });

  it("re-renders for a row that may belong on the page, not for one on another page or another host", () => {
    expect(containersNews(view(), "h", upsert(row("c2"))).refresh).toBe(true); // sorts between b and d
    expect(containersNews(view(), "h", upsert(row("x"))).refresh).toBe(false); // a later page
    expect(containersNews(view({ lastPage: true }), "h", upsert(row("x"))).refresh).toBe(true);
    expect(containersNews(view({ firstPage: true }), "h", upsert(row("a"))).refresh).toBe(true);
    expect(containersNews(view({ q: "zzz" }), "h", upsert(row("c2"))).refresh).toBe(false); // does not match the search
    expect(containersNews(view(), "other", upsert(row("c2"))).refresh).toBe(false);
  });

  it("re-renders when a row leaves the state filtered on, for a resync, and when the host's counts say containers came or went", () => {
    expect(containersNews(view({ state: "running" }), "h", upsert(row("c", { state: "exited", reportedAt: "2025-01-01T00:00:11.000Z" }))).refresh).toBe(true);
    expect(containersNews(view(), "h", { kind: "containers", hostId: "h", resync: true, at }).refresh).toBe(true);
    expect(containersNews(view(), "h", { kind: "containers", hostId: "h", at }).refresh).toBe(true);
    const counts = (containers: Record<string, number>): LiveMessage => ({ kind: "host", hostId: "h", host: { id: "h", containers }, at });
    expect(containersNews(view(), "h", counts({ running: 20, exited: 10 })).refresh).toBe(false);
    expect(containersNews(view(), "h", counts({ running: 21, exited: 10 })).refresh).toBe(true);
    expect(containersNews(view({ state: "exited", total: 10 }), "h", counts({ running: 25, exited: 10 })).refresh).toBe(false);
    expect(containersNews(view({ q: "b" }), "h", counts({ running: 1 })).refresh).toBe(false); // a search's total is not the host's
  });

  it("after a re-render keeps a row the page holds a newer report of", () => {
    const server = [row("b", { state: "running" }), row("c")];
    const shown = [row("b", { state: "exited", reportedAt: "2025-01-01T00:00:20.000Z" })];
    expect(mergeNewer(server, shown).map((r) => r.state)).toEqual(["exited", "running"]);
  });
});

describe("pages that only re-render (LiveRefresh)", () => {
  it("never re-render for heartbeat usage; follow their filters", () => {
    expect(concerns({ kind: "hosts", hosts: [{ id: "a", cpuPercent: 1 }], at }, {})).toBe(false);
    expect(concerns({ kind: "deployment", hostId: "h", serviceId: "s", at }, { serviceId: "s" })).toBe(true);
    expect(concerns({ kind: "host", hostId: "h", at }, { serviceId: "s" })).toBe(false);
    expect(concerns({ kind: "containers", hostId: "h", upserted: [], at }, { kind: "deployment" })).toBe(false);
    const mine = { hostId: "h", dockerId: "d1" };
    expect(concerns(upsert(row("x", { dockerId: "d1" })), mine)).toBe(true);
    expect(concerns(upsert(row("x", { dockerId: "d2" })), mine)).toBe(false);
    expect(concerns({ kind: "containers", hostId: "h", removed: ["d1"], at }, mine)).toBe(true);
  });
});

describe("paging", () => {
  it("shows the first, the last and two either side of the current page", () => {
    expect(pageWindow(1, 1)).toEqual([1]);
    expect(pageWindow(1, 5)).toEqual([1, 2, 3, null, 5]);
    expect(pageWindow(10, 20)).toEqual([1, null, 8, 9, 10, 11, 12, null, 20]);
    expect(pageWindow(4, 5)).toEqual([1, 2, 3, 4, 5]);
  });

  it("keeps the other params in page links and leaves page 1 and empty ones out", () => {
    expect(pageHref("/t/a/hosts", { q: "web 1", status: undefined }, 3)).toBe("/t/a/hosts?q=web+1&page=3");
    expect(pageHref("/t/a/hosts", { q: "" }, 1)).toBe("/t/a/hosts");
  });

  it("reads a list's URL leniently: junk values fall back to their defaults", () => {
    expect(fromSearchParams(hostListQuery, { page: "-2", limit: "100000", status: "ASLEEP", q: " web " })).toEqual({ q: "web", page: 1, limit: 50 });
    expect(fromSearchParams(containerListQuery, { page: ["3", "4"], state: "exited" })).toEqual({ page: 3, limit: 100, state: "exited" });
    expect(hostListQuery.safeParse({ page: "0" }).success).toBe(false);
  });
});

describe("a stream's scope (the hosts its page shows)", () => {
  const usage = (id: string) => ({ id, cpuPercent: 1 });
  const msg = (m: LiveNews) => ({ ...m, at: 1 }) as LiveMessage;

  it("keeps only the shown hosts' usage, counts and containers; other hosts' status and news and deployments pass", () => {
    const shown = new Set(["a"]);
    const both = msg({ kind: "hosts", hosts: [usage("a"), usage("b")] });
    expect(scopeMessage(both, shown)).toEqual({ ...both, hosts: [usage("a")] });
    expect(scopeMessage(msg({ kind: "hosts", hosts: [usage("b")] }), shown)).toBeNull();
    expect(scopeMessage(msg({ kind: "containers", hostId: "b", resync: true }), shown)).toBeNull();
    const mine = msg({ kind: "containers", hostId: "a", resync: true });
    expect(scopeMessage(mine, shown)).toBe(mine);
    for (const m of [msg({ kind: "host", hostId: "b" }), msg({ kind: "deployment", hostId: "b", serviceId: "s" })]) {
      expect(scopeMessage(m, shown)).toBe(m);
      expect(scopeMessage(m, new Set())).toBe(m);
    }
    const counts = (id: string) => msg({ kind: "host", hostId: id, host: { id, containers: { running: 3 } } });
    expect(scopeMessage(counts("b"), shown)).toBeNull(); // another host's counts: a container changed there
    expect(scopeMessage(counts("a"), shown)).toEqual(counts("a"));
    const offline = msg({ kind: "host", hostId: "b", host: { id: "b", status: "OFFLINE", containers: {} } });
    expect(scopeMessage(offline, shown)).toBe(offline); // may move it onto a page filtered by status
    expect(scopeMessage(counts("b"), null)).toEqual(counts("b"));
    expect(scopeMessage(both, null)).toBe(both); // no scope: the whole team
  });

  it("is read from ?hosts=, empty meaning none, and a bad one is refused with why", () => {
    expect(liveHostsScope.parse("cmabc1,cmabc2")).toEqual(["cmabc1", "cmabc2"]);
    expect(liveHostsScope.parse("")).toEqual([]);
    expect(liveHostsScope.safeParse("a b").error?.issues[0]?.message).toBe("must be host ids separated by commas");
    expect(liveHostsScope.safeParse("a,,b").success).toBe(false);
    expect(liveHostsScope.safeParse(Array.from({ length: 501 }, (_, i) => `h${i}`).join(",")).error?.issues[0]?.message).toBe("may name at most 500 hosts");
  });
});
