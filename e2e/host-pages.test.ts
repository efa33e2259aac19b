// Host pages that stay fast, in a real browser: the hosts page and a host with 2,000 containers page and search
// with the URL as their state (a link to page 3 works), and pushes on the team's live channel patch the open page
// without a server render: none for usage, a container's new state or its removal, one for a resync or a
// container that may belong on the page. Rows are written straight to the database (no agents needed).
import type { Page, Request } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import type { ContainerPatch, LiveNews } from "@/lib/live/channels";
import { publishLive } from "@/lib/live/publish";
import { adminRedis, closeAdminRedis } from "@/lib/redis/admin";
import { type FakeContainer, insertContainers, insertHosts } from "../tests/support/list-rows";
import { createTeam, newPage, screenshot, signUp, uniqueEmail, useBrowser } from "./support/browser";

const browser = useBrowser();
let page: Page;
let slug: string;
let teamId: string;
let bigHost: string;
let containers: FakeContainer[];

/** Server renders of the page (router.refresh and navigations), not link prefetches. */
const rscRequests: string[] = [];
const isRender = (r: Request) => (r.headers().rsc === "1" || new URL(r.url()).searchParams.has("_rsc")) && !r.headers()["next-router-prefetch"];

beforeAll(async () => {
  page = await newPage(browser());
  await signUp(page, { name: "Pages Admin", email: uniqueEmail("pages") });
  slug = await createTeam(page, `Pages ${Date.now().toString(36)}`);
  teamId = (await db.team.findUniqueOrThrow({ where: { slug }, select: { id: true } })).id;
  // Offline and pending hosts only: the control worker's offline sweep leaves them be, so only the test pushes.
  const hosts = await insertHosts(teamId, [
    { name: "big-host", status: "OFFLINE" },
    ...Array.from({ length: 60 }, (_, i) => ({ name: `node-${String(i + 1).padStart(2, "0")}`, status: i % 3 ? ("OFFLINE" as const) : ("PENDING" as const) })),
  ]);
  bigHost = hosts.find((h) => h.name === "big-host")!.id;
  containers = await insertContainers(bigHost, 2000);
  page.on("request", (r) => {
    if (isRender(r)) rscRequests.push(r.url());
  });
}, 120_000);

afterAll(async () => {
  await db.host.deleteMany({ where: { teamId } });
  await closeAdminRedis();
});

const summary = () => page.getByTestId("pagination-summary").textContent();
const push = (news: LiveNews) => publishLive(adminRedis(), teamId, news);
const patchOf = (c: FakeContainer, over: Partial<ContainerPatch>): ContainerPatch => ({
  dockerId: c.dockerId,
  name: c.name,
  image: "nginx:1.27",
  state: "running",
  status: "Up 5 minutes",
  health: null,
  ports: [],
  labels: {},
  reportedAt: new Date().toISOString(),
  ...over,
});

/** Waits until the stream is live and the render it asks for on connecting has come back; then counts from zero. */
async function settle() {
  await page.locator('[data-testid="live-status"][data-connected="true"]').waitFor();
  await expect.poll(() => rscRequests.length).toBeGreaterThan(0);
  await page.waitForLoadState("load");
  await page.waitForTimeout(500);
  rscRequests.length = 0;
}

describe("hosts page", () => {
  it("pages, searches and filters with the URL as its state", async () => {
    await page.goto(`/t/${slug}/hosts`);
    expect(await page.getByTestId("hosts").locator("tbody tr").count()).toBe(50);
    expect(await summary()).toBe("1–50 of 61 hosts");
    await screenshot(page, "33-hosts-paged");
    await page.getByTestId("pagination").getByRole("link", { name: "Next ›" }).click();
    await page.waitForURL(/\?page=2$/);
    await page.getByTestId("host-node-60").waitFor();
    expect(await summary()).toBe("51–61 of 61 hosts");

    await page.getByLabel("Search").fill("node-1");
    await page.getByLabel("Status").selectOption("PENDING");
    await page.getByRole("button", { name: "Filter" }).click();
    await page.waitForURL(/q=node-1/);
    // Of node-10…node-19, the pending ones (node-01, node-04, … are pending): 10, 13, 16 and 19.
    await page.getByTestId("host-node-13").waitFor();
    expect(await page.getByTestId("hosts").locator("tbody tr").count()).toBe(4);
    expect(await summary()).toBe("1–4 of 4 hosts");
    await screenshot(page, "34-hosts-filtered");
  });

  it("patches a host's usage from a push without a server render", async () => {
    await page.goto(`/t/${slug}/hosts`);
    await settle();
    const row = page.getByTestId("host-big-host");
    await push({ kind: "hosts", hosts: [{ id: bigHost, cpuPercent: 42.5, cpuCount: 8, memUsedBytes: 3 * 1024 ** 3, memTotalBytes: 8 * 1024 ** 3 }] });
    await row.getByTestId("host-cpu").getByText("43% of 8").waitFor();
    expect(await row.getByTestId("host-memory").textContent()).toBe("3.0 GB / 8.0 GB");
    await push({ kind: "host", hostId: bigHost, host: { id: bigHost, containers: { running: 1600, exited: 400 } } });
    await row.getByTestId("host-containers").getByText("400 stopped").waitFor();
    await page.waitForTimeout(500);
    expect(rscRequests).toEqual([]);
    // A host message without a patch (added, renamed, removed): one render.
    await push({ kind: "host", hostId: bigHost });
    await expect.poll(() => rscRequests.length).toBe(1);
  });
});

describe("a host with 2,000 containers", () => {
  it("pages and searches them; a link to page 3 works", async () => {
    const started = Date.now();
    await page.goto(`/t/${slug}/hosts/${bigHost}`);
    await page.getByTestId("containers").waitFor();
    console.log(`host page with 2,000 containers: first 100 rows shown ${Date.now() - started} ms after navigating`);
    expect(await page.getByTestId("containers").locator("tbody tr").count()).toBe(100);
    expect(await summary()).toBe("1–100 of 2,000 containers");
    await screenshot(page, "35-host-containers-paged");

    await page.goto(`/t/${slug}/hosts/${bigHost}?page=3`);
    await page.getByTestId("container-app-0201").waitFor();
    expect(await summary()).toBe("201–300 of 2,000 containers");
    await page.getByTestId("pagination").getByRole("link", { name: "20" }).click();
    await page.getByTestId("container-app-2000").waitFor();

    await page.getByLabel("Search").fill("app-19");
    await page.getByLabel("State").selectOption("exited");
    await page.getByRole("button", { name: "Filter" }).click();
    await page.waitForURL(/state=exited/);
    await page.getByTestId("container-app-1905").waitFor();
    expect(await summary()).toBe("1–20 of 20 containers"); // app-1900…app-1999, every fifth
    await screenshot(page, "36-host-containers-filtered");
  });

  it("patches rows from pushes; re-renders once for a resync or a new container on the page", async () => {
    await page.goto(`/t/${slug}/hosts/${bigHost}`);
    await settle();
    const [first, second] = containers;
    // A container's new state and a removed one: patched in place.
    await push({ kind: "containers", hostId: bigHost, upserted: [patchOf(first!, { state: "exited", status: "Exited (1) 2 seconds ago" })] });
    const row = page.getByTestId(`container-${first!.name}`);
    await row.locator('[data-testid="container-state"][data-state="exited"]').waitFor();
    expect(await row.getByTestId("container-status").textContent()).toBe("Exited (1) 2 seconds ago");
    await push({ kind: "containers", hostId: bigHost, removed: [second!.dockerId] });
    await page.getByTestId(`container-${second!.name}`).waitFor({ state: "detached" });
    // Another page's container changing, and the header's usage: nothing to render either.
    await push({ kind: "containers", hostId: bigHost, upserted: [patchOf(containers[1500]!, { state: "exited" })] });
    await push({ kind: "hosts", hosts: [{ id: bigHost, cpuPercent: 12.25 }] });
    await page.getByTestId("host-usage").getByText("CPU 12%").waitFor();
    await page.waitForTimeout(500);
    expect(rscRequests).toEqual([]);
    await screenshot(page, "37-host-containers-patched");

    // A resync: one render, which reads the rows again (the removed one was never removed in the database).
    await push({ kind: "containers", hostId: bigHost, resync: true });
    await expect.poll(() => rscRequests.length).toBe(1);
    await page.getByTestId(`container-${second!.name}`).waitFor();

    // A new container whose name sorts onto this page: one render, and it shows.
    rscRequests.length = 0;
    const now = new Date();
    const fresh = {
      hostId: bigHost,
      dockerId: "f".repeat(64),
      name: "app-00005",
      image: "busybox",
      imageId: "sha256:x",
      command: "sh",
      state: "created",
      status: "Created",
      ports: [],
      labels: {},
      restartPolicy: "no",
      createdAt: now,
      reportedAt: now,
    };
    await db.container.create({ data: fresh });
    await push({ kind: "containers", hostId: bigHost, upserted: [patchOf({ ...fresh }, { image: "busybox", state: "created", status: "Created" })] });
    await page.getByTestId("container-app-00005").waitFor();
    expect(rscRequests).toHaveLength(1);
  });
});
