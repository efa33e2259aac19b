// `<project>/<env>/<service>` and `<project>/<env>`: the names a user types, checked before any request.
import { CliError, EXIT } from "./errors";

export type EnvPath = { project: string; env: string };
export type ServicePath = EnvPath & { service: string };

// What Berth accepts as one segment of an address (lib/http/route.ts PARAM, minus ":" and "@").
const SEGMENT = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,199}$/;

function split(text: string, parts: string[], example: string): string[] {
  const segs = text.split("/");
  const shape = parts.map((p) => `<${p}>`).join("/");
  if (segs.length !== parts.length) throw new CliError(`Expected ${shape}, e.g. ${example}; got "${text}".`, EXIT.usage);
  segs.forEach((s, i) => {
    if (!SEGMENT.test(s)) {
      const what = s ? `"${s}" is not a valid ${parts[i]} name` : `the ${parts[i]} is missing`;
      throw new CliError(`Expected ${shape}, e.g. ${example}: ${what}.`, EXIT.usage);
    }
  });
  return segs;
}

export function parseServicePath(text: string): ServicePath {
  const [project, env, service] = split(text, ["project", "env", "service"], "shop/staging/web");
  return { project: project!, env: env!, service: service! };
}

export function parseEnvPath(text: string): EnvPath {
  const [project, env] = split(text, ["project", "env"], "shop/staging");
  return { project: project!, env: env! };
}

export const showPath = (p: EnvPath | ServicePath) => ("service" in p ? `${p.project}/${p.env}/${p.service}` : `${p.project}/${p.env}`);

/** A release number as typed: `3` or `#3`. */
export function parseReleaseNumber(text: string): number {
  const m = /^#?([1-9][0-9]{0,8})$/.exec(text.trim());
  if (!m) throw new CliError(`Expected a release number such as 3 or #3; got "${text}".`, EXIT.usage);
  return Number(m[1]);
}
