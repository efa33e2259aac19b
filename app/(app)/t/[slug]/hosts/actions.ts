"use server";
// Hosts, containers and images: each action is its operation (lib/api/operations/hosts.ts) behind a form.
import { formAction } from "@/lib/api/form";
import {
  addHostOp,
  containerActionOp,
  hostDeploySettingsOp,
  newInstallCommandOp,
  removeHostOp,
  removeImageOp,
  renameHostOp,
  revealContainerEnvOp,
  updateAgentOp,
} from "@/lib/api/operations/hosts";

const hostsPath = (v: Record<string, string>) => `/t/${v.team}/hosts`;
const hostPath = (v: Record<string, string>) => `${hostsPath(v)}/${v.hostId}`;

/** What the page shows once: the install command (only its token's hash is kept). */
function installData(
  v: Record<string, string>,
  host: { id: string; name: string },
  install: { curl: string; wget: string; expiresAt: string; warning: string | null },
): Record<string, string> {
  return {
    curl: install.curl,
    wget: install.wget,
    expiresAt: install.expiresAt,
    hostPath: `${hostsPath(v)}/${host.id}`,
    name: host.name,
    ...(install.warning ? { warning: install.warning } : {}),
  };
}

export const addHostAction = formAction(addHostOp, {
  done: (host, v) => ({
    revalidate: hostsPath(v),
    message: `${host.name} added. Run its install command on the machine:`,
    data: installData(v, host, host.install),
  }),
});

export const newInstallCommandAction = formAction(newInstallCommandOp, {
  done: (install, v) => ({
    message: "A new install command; the earlier one no longer works.",
    data: installData(v, { id: v.hostId ?? "", name: install.name }, install),
  }),
});

export const updateAgentAction = formAction(updateAgentOp, {
  done: ({ from, to }, v) => ({ revalidate: [hostsPath(v), "layout"], message: `Agent updated from ${from} to ${to}.` }),
});

export const renameHostAction = formAction(renameHostOp, { done: (_h, v) => ({ revalidate: [hostsPath(v), "layout"], message: "Host renamed." }) });

export const hostDeploySettingsAction = formAction(hostDeploySettingsOp, {
  done: (_h, v) => ({ revalidate: [hostsPath(v), "layout"], message: "Saved. Service URLs change with each service's next deployment." }),
});

export const removeHostAction = formAction(removeHostOp, { done: (_, v) => ({ go: hostsPath(v) }) });

export const containerAction = formAction(containerActionOp, { done: (_, v) => ({ revalidate: [hostPath(v), "layout"] }) });

export const removeImageAction = formAction(removeImageOp, { done: (_, v) => ({ revalidate: `${hostPath(v)}/images`, message: "Image removed." }) });

export const revealEnvAction = formAction(revealContainerEnvOp, {
  done: ({ env }) => ({ data: Object.fromEntries(env.map((e) => [e.name, e.value])) }),
});
