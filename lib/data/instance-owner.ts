// The instance owner: the first account ever made (users.ts), who alone sets instance-wide settings. Read
// from the database on every call, never from the session, so it cannot outlive a change.
import { db, type Tx } from "@/lib/db";
import { NotFoundError } from "@/lib/errors";
import type { Actor } from "./context";

export async function isInstanceOwner(actor: Pick<Actor, "id">, client: Tx = db): Promise<boolean> {
  return Boolean(await client.user.findFirst({ where: { id: actor.id, instanceOwner: true }, select: { id: true } }));
}

/** Everyone else finds nothing here, as with another team's ids. */
export async function requireInstanceOwner(actor: Pick<Actor, "id">, client: Tx = db): Promise<void> {
  if (!(await isInstanceOwner(actor, client))) throw new NotFoundError("Not found");
}
