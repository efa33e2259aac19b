// Hosts, their containers and images, the terminal, and a service's logs. Hosts are the team's, not a
// project's: their operations have no targets, so a token limited to a project or environment cannot call
// them; a service's logs are the exception (its targets are the service).
import { z } from "zod";
import { getContainer, listContainers } from "@/lib/data/containers";
import { updateHostAgent } from "@/lib/data/host-agent-update";
import { actOnContainer, containerDetails, containerLogs, containerStats, listHostImages, removeHostImage, revealContainerEnv } from "@/lib/data/host-calls";
import { newInstallCommand } from "@/lib/data/host-enrollment";
import { addHost, getHost, hostDeployInput, hostNameInput, listHosts, removeHost, renameHost, updateHostDeploySettings } from "@/lib/data/hosts";
import { openTerminal, sendTerminalInput } from "@/lib/data/terminal";
import { CONTAINER_ACTIONS } from "@/lib/hosts/protocol";
import { containerDetails as containerDetailsOutput, imageSummary, logsResult, statsSample } from "@/lib/hosts/results";
import { flag, id } from "@/lib/validation/fields";
import { containerListQuery, hostListQuery } from "@/lib/validation/list-query";
import { teamOp, type Operation } from "../operation";
import { containerDetail, containerSummary, createdHost, hostListItem, hostSummary, installCommandOutput, pageOf } from "../outputs/host";
import { serviceLogStream } from "../streams/service-logs";
import { terminalStream } from "../streams/terminal";

const host = z.object({ hostId: id });
const container = host.extend({ dockerId: id });

/** How many of the last lines to send; `least` 0 means none, only lines that come after. */
const tail = (least: 0 | 1) =>
  z.coerce
    .number({ error: "tail: a number of lines." })
    .int("tail: a whole number of lines.")
    .min(least, `tail: at least ${least} line${least === 1 ? "" : "s"}.`)
    .max(5000, "tail: at most 5000 lines.")
    .default(200);

// ---- Hosts ----

export const listHostsOp = teamOp({
  id: "hosts.list",
  method: "GET",
  path: "/teams/{team}/hosts",
  summary:
    "A page of the team's hosts by name: status, agent and Docker versions, usage, and how many containers are in each state. `q` matches the name, `status` one status (PENDING, ONLINE, OFFLINE); `page` from 1 of `limit` (1-500, default 50); `total` counts every match.",
  permission: "host.read",
  input: hostListQuery,
  output: pageOf("hosts", hostListItem),
  run: async (ctx, i) => {
    const { items, ...page } = await listHosts(ctx, i);
    return { hosts: items, ...page };
  },
});

export const getHostOp = teamOp({
  id: "hosts.get",
  method: "GET",
  path: "/teams/{team}/hosts/{hostId}",
  summary: "One host.",
  permission: "host.read",
  input: host,
  output: hostSummary,
  run: (ctx, i) => getHost(ctx, i.hostId),
});

export const addHostOp = teamOp({
  id: "hosts.create",
  method: "POST",
  path: "/teams/{team}/hosts",
  summary: "Add a host: it waits for its agent, which the answer's install command (shown only here, valid once) installs on the machine.",
  permission: "host.manage",
  input: hostNameInput,
  output: createdHost,
  status: 201,
  run: (ctx, i) => addHost(ctx, i),
});

export const newInstallCommandOp = teamOp({
  id: "hosts.installCommand",
  method: "POST",
  path: "/teams/{team}/hosts/{hostId}/install-command",
  summary: "A new install command for a host that is not online (or whose agent speaks another protocol); the earlier one stops working.",
  permission: "host.manage",
  input: host,
  output: installCommandOutput.extend({ name: z.string() }),
  status: 201,
  run: (ctx, i) => newInstallCommand(ctx, i.hostId),
});

export const updateAgentOp = teamOp({
  id: "hosts.updateAgent",
  method: "POST",
  path: "/teams/{team}/hosts/{hostId}/agent-update",
  summary: "Replace the host's agent with the version this Berth serves; the services it runs keep running. Answers once it reports back.",
  permission: "host.manage",
  input: host,
  output: z.object({ from: z.string(), to: z.string() }),
  run: (ctx, i) => updateHostAgent(ctx, i.hostId),
});

export const renameHostOp = teamOp({
  id: "hosts.rename",
  method: "PATCH",
  path: "/teams/{team}/hosts/{hostId}",
  summary: "Rename a host.",
  permission: "host.manage",
  input: host.extend(hostNameInput.shape),
  output: hostSummary,
  run: async (ctx, i) => {
    await renameHost(ctx, i.hostId, i);
    return getHost(ctx, i.hostId);
  },
});

export const hostDeploySettingsOp = teamOp({
  id: "hosts.deploySettings",
  method: "PUT",
  path: "/teams/{team}/hosts/{hostId}/deploy-settings",
  summary:
    "Where the host's services answer (<service>.<environment>.<project>.<baseDomain>), how many deployments it runs at once, and whether clones and pulls may reach private networks from it.",
  permission: "host.manage",
  input: host.extend(hostDeployInput.shape),
  output: hostSummary,
  run: async (ctx, i) => {
    await updateHostDeploySettings(ctx, i.hostId, i);
    return getHost(ctx, i.hostId);
  },
});

export const removeHostOp = teamOp({
  id: "hosts.remove",
  method: "DELETE",
  path: "/teams/{team}/hosts/{hostId}",
  summary: "Remove a host: its Redis login is revoked at once and its container records forgotten; its containers keep running on the machine.",
  permission: "host.manage",
  input: host,
  output: z.void(),
  status: 204,
  run: (ctx, i) => removeHost(ctx, i.hostId),
});

// ---- Containers and images ----

export const listContainersOp = teamOp({
  id: "containers.list",
  method: "GET",
  path: "/teams/{team}/hosts/{hostId}/containers",
  summary:
    "A page of the host's containers by name, as its agent last reported them: `q` matches name, image or the start of the id, `state` one state; `page` from 1 of `limit` (1-500, default 100); `total` counts every match.",
  permission: "host.read",
  input: host.extend(containerListQuery.shape),
  output: pageOf("containers", containerSummary),
  run: async (ctx, { hostId, ...query }) => {
    const { items, ...page } = await listContainers(ctx, hostId, query);
    return { containers: items, ...page };
  },
});

export const getContainerOp = teamOp({
  id: "containers.get",
  method: "GET",
  path: "/teams/{team}/hosts/{hostId}/containers/{dockerId}",
  summary: "One container as its agent last reported it.",
  permission: "host.read",
  input: container,
  output: containerDetail,
  run: (ctx, i) => getContainer(ctx, i.hostId, i.dockerId),
});

export const inspectContainerOp = teamOp({
  id: "containers.inspect",
  method: "GET",
  path: "/teams/{team}/hosts/{hostId}/containers/{dockerId}/inspect",
  summary: "What the host's Docker says about the container now: command, networks, mounts, and its environment's names (never values).",
  permission: "host.read",
  input: container,
  output: containerDetailsOutput,
  run: (ctx, i) => containerDetails(ctx, i.hostId, i.dockerId),
});

export const containerActionOp = teamOp({
  id: "containers.act",
  method: "POST",
  path: "/teams/{team}/hosts/{hostId}/containers/{dockerId}/actions",
  summary: "Start, stop, restart, kill or remove the container; answers when Docker has done it (or with Docker's refusal).",
  permission: "container.act", // a protected environment's container needs container.act.protected (checked by the data layer)
  input: container.extend({ action: z.enum(CONTAINER_ACTIONS, { error: `Choose one of: ${CONTAINER_ACTIONS.join(", ")}.` }) }),
  output: z.void(),
  status: 204,
  run: (ctx, i) => actOnContainer(ctx, i.hostId, i.dockerId, i.action),
});

export const containerLogsOp = teamOp({
  id: "containers.logs",
  method: "GET",
  path: "/teams/{team}/hosts/{hostId}/containers/{dockerId}/logs",
  summary:
    "The container's last `tail` log lines (after `since`, Unix seconds, if given), each with its stream and, unless timestamps=0, Docker's time. Secret values Berth gave it are masked.",
  permission: "host.read",
  input: container.extend({
    tail: tail(1),
    since: z.coerce.number({ error: "since: Unix seconds." }).int("since: whole seconds.").min(0, "since: Unix seconds.").optional(),
    timestamps: flag.default(true),
  }),
  output: logsResult,
  run: (ctx, i) => containerLogs(ctx, i.hostId, i.dockerId, { tail: i.tail, since: i.since, timestamps: i.timestamps }),
});

export const containerStatsOp = teamOp({
  id: "containers.stats",
  method: "GET",
  path: "/teams/{team}/hosts/{hostId}/containers/{dockerId}/stats",
  summary: "One sample of the container's CPU, memory, network and block I/O (counters: rates are differences between samples).",
  permission: "host.read",
  input: container,
  output: statsSample,
  run: (ctx, i) => containerStats(ctx, i.hostId, i.dockerId),
});

export const revealContainerEnvOp = teamOp({
  id: "containers.revealEnv",
  method: "POST",
  path: "/teams/{team}/hosts/{hostId}/containers/{dockerId}/env",
  summary: "The container's environment with its values, secrets included; recorded in the audit log.",
  permission: "container.env", // a protected environment's container needs container.env.protected (checked by the data layer)
  input: container,
  output: z.object({ env: z.array(z.object({ name: z.string(), value: z.string() })) }),
  run: async (ctx, i) => ({ env: await revealContainerEnv(ctx, i.hostId, i.dockerId) }),
});

export const listImagesOp = teamOp({
  id: "images.list",
  method: "GET",
  path: "/teams/{team}/hosts/{hostId}/images",
  summary: "The images on the host now, with the containers that use each.",
  permission: "host.read",
  input: host,
  output: z.object({ images: z.array(imageSummary) }),
  run: async (ctx, i) => ({ images: await listHostImages(ctx, i.hostId) }),
});

export const removeImageOp = teamOp({
  id: "images.remove",
  method: "DELETE",
  path: "/teams/{team}/hosts/{hostId}/images/{imageId}",
  summary: "Remove an image no container uses from the host.",
  permission: "container.act",
  input: host.extend({ imageId: id }),
  output: z.void(),
  status: 204,
  run: (ctx, i) => removeHostImage(ctx, i.hostId, i.imageId),
});

// ---- The terminal: admins, in a browser only ----

export const openTerminalOp = teamOp({
  id: "terminal.open",
  method: "POST",
  path: "/teams/{team}/terminal",
  summary: "Open a shell in a running container (recorded in the audit log); its output is at the session's stream, keystrokes go to the same address.",
  permission: "container.exec",
  sessionOnly: true,
  input: container.extend({
    cols: z.coerce.number().int().min(1).max(1000),
    rows: z.coerce.number().int().min(1).max(500),
  }),
  output: z.object({ sessionId: z.string() }),
  status: 201,
  run: (ctx, i) => openTerminal(ctx, i.hostId, i.dockerId, { cols: i.cols, rows: i.rows }),
});

const session = z.object({ sessionId: z.string().max(64) });

export const terminalOutputOp = teamOp({
  id: "terminal.output",
  method: "GET",
  path: "/teams/{team}/terminal/{sessionId}",
  summary: "The session's output as server-sent events: base64 chunks of terminal bytes, then `end` with the exit code. Only its opener reads it.",
  permission: "container.exec",
  sessionOnly: true,
  input: session,
  output: z.never(),
  produces: "text/event-stream",
  run: (ctx, i, call) => terminalStream(ctx, i.sessionId, call.signal),
});

export const terminalInputOp = teamOp({
  id: "terminal.input",
  method: "POST",
  path: "/teams/{team}/terminal/{sessionId}",
  summary: "Keystrokes (`data` with `data`), a new size (`resize` with `cols` and `rows`) or the end (`close`) of the session.",
  permission: "container.exec",
  sessionOnly: true,
  // Named fields (so unknown ones are refused); which go with which type is terminalInput's to check.
  input: session.extend({
    type: z.enum(["data", "resize", "close"], { error: "type: data, resize or close." }),
    data: z.string().optional(),
    cols: z.number().optional(),
    rows: z.number().optional(),
  }),
  output: z.void(),
  status: 204,
  run: (ctx, { sessionId, ...msg }) => sendTerminalInput(ctx, sessionId, msg),
});

// ---- A service's logs ----

export const serviceLogsOp = teamOp({
  id: "services.logs",
  method: "GET",
  path: "/teams/{team}/services/{serviceId}/logs",
  summary:
    "The log lines of the service's running container as server-sent events: `container` names it, then `{ line, stream, time }` for each of the last `tail` lines (0: none), then `end`; with follow=1 new lines as they come, until it stops running (a new release's container is read from its start). Secret values are masked.",
  permission: "project.read",
  targets: (i) => [{ service: i.serviceId }],
  input: z.object({ serviceId: id, tail: tail(0), follow: flag.default(false) }),
  output: z.never(),
  produces: "text/event-stream",
  run: (ctx, i, call) => serviceLogStream(ctx, i.serviceId, { tail: i.tail, follow: i.follow }, call.signal),
});

export const hostOps: Operation[] = [
  listHostsOp,
  getHostOp,
  addHostOp,
  newInstallCommandOp,
  updateAgentOp,
  renameHostOp,
  hostDeploySettingsOp,
  removeHostOp,
  listContainersOp,
  getContainerOp,
  inspectContainerOp,
  containerActionOp,
  containerLogsOp,
  containerStatsOp,
  revealContainerEnvOp,
  listImagesOp,
  removeImageOp,
  openTerminalOp,
  terminalOutputOp,
  terminalInputOp,
  serviceLogsOp,
];
