// From the names a user types to the ids the API takes.
import type { Api } from "./api-client";
import { CliError, EXIT } from "./errors";
import { type ServicePath, showPath } from "./paths";

export type ServiceRef = {
  id: string;
  name: string;
  kind: "git" | "image";
  environment: { slug: string; name: string; protected: boolean };
  project: { slug: string; name: string };
  live: { id: string; number: number; status: string } | null;
};

export async function resolveService(api: Api, p: ServicePath): Promise<ServiceRef> {
  try {
    return await api.json<ServiceRef>("GET", await api.teamPath("projects", p.project, "environments", p.env, "services", p.service));
  } catch (e) {
    if (e instanceof CliError && e.exitCode === EXIT.notFound) throw new CliError(`${showPath(p)}: ${e.message}`, EXIT.notFound);
    throw e;
  }
}

/** The .env address of an environment. */
export const dotenvPath = (api: Api, p: { project: string; env: string }) => api.teamPath("projects", p.project, "environments", p.env, "dotenv");
