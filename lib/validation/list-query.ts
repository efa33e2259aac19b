// How the host and container lists are asked for: a search, one status or state, and a page. The JSON API refuses
// a bad value with a 400 naming the field; a page's URL is read leniently (`fromSearchParams`): a junk value is
// dropped and its default used, so a mistyped link still shows the list.
import { z } from "zod";
import { CONTAINER_STATES } from "@/lib/hosts/protocol";

export const HOST_STATUSES = ["PENDING", "ONLINE", "OFFLINE"] as const;
export const HOSTS_PER_PAGE = 50;
export const CONTAINERS_PER_PAGE = 100;
export const MAX_PER_PAGE = 500;
const MAX_PAGE = 100_000;

const q = z.string().trim().max(100, "q: at most 100 characters.").optional();

const page = z.coerce
  .number({ error: "page: a page number." })
  .int("page: a whole number.")
  .min(1, "page: 1 or more.")
  .max(MAX_PAGE, `page: at most ${MAX_PAGE}.`)
  .default(1);

const limit = (fallback: number) =>
  z.coerce
    .number({ error: "limit: a number of rows." })
    .int("limit: a whole number of rows.")
    .min(1, "limit: at least 1 row.")
    .max(MAX_PER_PAGE, `limit: at most ${MAX_PER_PAGE} rows.`)
    .default(fallback);

/** `q` matches the host's name; `status` one status. */
export const hostListQuery = z.object({
  q,
  status: z.enum(HOST_STATUSES, { error: `status: one of ${HOST_STATUSES.join(", ")}.` }).optional(),
  page,
  limit: limit(HOSTS_PER_PAGE),
});
export type HostListQuery = z.infer<typeof hostListQuery>;

/** `q` matches the container's name, image or the start of its id; `state` one state. */
export const containerListQuery = z.object({
  q,
  state: z.enum(CONTAINER_STATES, { error: `state: one of ${CONTAINER_STATES.join(", ")}.` }).optional(),
  page,
  limit: limit(CONTAINERS_PER_PAGE),
});
export type ContainerListQuery = z.infer<typeof containerListQuery>;

/** A page's search params through a list schema, field by field: what does not parse is left to its default. */
export function fromSearchParams<S extends z.ZodObject>(schema: S, params: Record<string, string | string[] | undefined>): z.output<S> {
  const kept: Record<string, string> = {};
  for (const [key, field] of Object.entries(schema.shape)) {
    const raw = params[key];
    const value = Array.isArray(raw) ? raw[0] : raw;
    if (value === undefined || value === "") continue;
    if ((field as z.ZodType).safeParse(value).success) kept[key] = value;
  }
  return schema.parse(kept);
}
