// The control plane's own Redis connection (the admin login), shared by everything in a process that
// needs plain commands. Blocking reads and subscriptions need connections of their own.
import { Redis } from "ioredis";
import { env } from "@/lib/env";

let admin: Redis | undefined;

export function adminRedis(): Redis {
  if (!admin) {
    admin = new Redis(env.redisUrl, { maxRetriesPerRequest: 2 });
    admin.on("error", (e) => console.error(`redis (admin): ${e.message}`));
  }
  return admin;
}

export async function closeAdminRedis() {
  await admin?.quit().catch(() => {});
  admin = undefined;
}
