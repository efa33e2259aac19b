// Run by `npm start`: registers this machine as a host (once) and prints the agent URL for it. The
// credentials are kept in .berth/local-agent.json (mode 0600) and reused. Which team gets this machine's
// Docker: BERTH_LOCAL_HOST (first-team, a team's slug), or the instance owner on /instance (lib/data/local-host.ts).
import fs from "node:fs";
import path from "node:path";
import { ensureLocalHost } from "@/lib/data/local-host";
import { agentRedisUrl } from "@/lib/hosts/redis-acl";
import { closeAdminRedis } from "@/lib/redis/admin";
import { db } from "@/lib/db";
import { env, type LocalHostSetting } from "@/lib/env";

const file = path.join(process.cwd(), ".berth", "local-agent.json");

async function main() {
  const saved = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, "utf8")) : undefined;
  const host = await ensureLocalHost(saved);
  fs.writeFileSync(file, JSON.stringify({ id: host.id, token: host.token }), { mode: 0o600 });
  console.error(host.team ? `berth: this machine's Docker belongs to the team ${host.team}` : unattached(env.localHost));
  process.stdout.write(agentRedisUrl(host.id, host.token, env.redisUrl));
  await closeAdminRedis();
  await db.$disconnect();
}

function unattached(s: LocalHostSetting): string {
  const why =
    s.mode === "off"
      ? `the instance owner can give it to a team on ${env.appUrl}/instance (or set BERTH_LOCAL_HOST=first-team or a team's URL name)`
      : s.mode === "team"
        ? `it goes to the team "${s.slug}" once that team exists (BERTH_LOCAL_HOST)`
        : "it goes to the first team made (BERTH_LOCAL_HOST=first-team)";
  return `berth: this machine's Docker belongs to no team yet: ${why}`;
}

main().catch((e) => {
  console.error(`local host registration failed: ${(e as Error).message}`);
  process.exit(1);
});
