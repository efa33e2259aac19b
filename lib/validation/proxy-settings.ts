// The fields of a service behind its host's proxy, the same for both kinds of service: the port it serves
// HTTP on, the health check that gates the switch, custom domains, and how many releases keep their image.
import { z } from "zod";

const HOSTNAME = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$/;
export const blankToUndefined = (v: unknown) => (typeof v === "string" && v.trim() === "" ? undefined : v);

export const proxySettings = {
  httpPort: z.coerce.number({ message: "The port is a number." }).int().min(1, "Ports are 1–65535.").max(65535, "Ports are 1–65535."),
  healthPath: z.preprocess(
    blankToUndefined,
    z
      .string()
      .trim()
      .regex(/^\/[\x21-\x7e]{0,511}$/, "A path starting with /, e.g. /healthz (or empty: the port accepting connections).")
      .optional(),
  ),
  healthTimeoutSec: z.preprocess(blankToUndefined, z.coerce.number().int().min(1, "At least 1 second.").max(600, "At most 600 seconds.").default(60)),
  domains: z.preprocess(
    (v) =>
      typeof v === "string"
        ? v
            .split(/[\s,]+/)
            .map((d) => d.trim().toLowerCase())
            .filter(Boolean)
        : (v ?? []),
    z
      .array(z.string())
      .max(10, "At most 10 domains.")
      .superRefine((domains, c) => {
        const bad = domains.find((d) => !HOSTNAME.test(d));
        if (bad !== undefined) c.addIssue({ code: "custom", message: `"${bad.slice(0, 80)}" is not a hostname like app.example.com.` });
      })
      .transform((domains) => [...new Set(domains)]),
  ),
  keepReleases: z.preprocess(blankToUndefined, z.coerce.number().int().min(1, "Keep at least 1 release.").max(100, "At most 100.").default(10)),
};
