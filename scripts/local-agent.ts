// Run by `npm start`: registers this machine as a host (once) and prints the agent URL for it.
// The credentials are kept in .berth/local-agent.json (mode 0600) and reused.
import fs from "node:fs";
import path from "node:path";
import { ensureLocalHost } from "@/lib/data/local-host";
import { agentRedisUrl } from "@/lib/hosts/redis-acl";
import { closeAdminRedis } from "@/lib/redis/admin";
import { db } from "@/lib/db";
import { env } from "@/lib/env";

const file = path.join(process.cwd(), ".berth", "local-agent.json");

async function main() {
  const saved = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, "utf8")) : undefined;
  const host = await ensureLocalHost(saved);
  fs.writeFileSync(file, JSON.stringify(host), { mode: 0o600 });
  process.stdout.write(agentRedisUrl(host.id, host.token, env.redisUrl));
  await closeAdminRedis();
  await db.$disconnect();
}

main().catch((e) => {
  console.error(`local host registration failed: ${(e as Error).message}`);
  process.exit(1);
});
