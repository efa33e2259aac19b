// An environment's own bridge network, created on first use.
import type Dockerode from "dockerode";

export async function ensureNetwork(docker: Dockerode, name: string, labels: Record<string, string>) {
  const found = await docker.listNetworks({ filters: { name: [name] } });
  if (found.some((n) => n.Name === name)) return;
  await docker.createNetwork({ Name: name, Driver: "bridge", Labels: labels, CheckDuplicate: true }).catch((e) => {
    if ((e as { statusCode?: number }).statusCode !== 409) throw e; // created meanwhile
  });
}
