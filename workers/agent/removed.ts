// An agent whose host was removed from Berth stops for good. Removing a host deletes its Redis login, so the
// agent's connections are cut and every reconnect is refused (WRONGPASS, or NOAUTH); a refusal alone proves
// nothing, though (a Redis restarted without its ACL users refuses too, until the control plane provisions
// them again), so the agent asks Berth: GET /api/agent/whoami with its credentials answers 401 only for a
// host that no longer exists. Anything else (Berth unreachable, 200) and it keeps retrying, as it does without
// a Berth address (the local agent beside Berth).
import type Dockerode from "dockerode";
import { berthRequest } from "./berth-http";
import { type AgentConfig, inAgentImage } from "./config";
import { stopRestarting } from "./own-container";

export const REMOVED_MESSAGE = "This host was removed from Berth; the agent stops. To add it again, run a new install command from Berth's Hosts page.";

const LOGIN_REFUSED = /WRONGPASS|NOAUTH/;

/** True only when Berth says these credentials belong to no host (401). */
export async function hostRemoved(cfg: AgentConfig): Promise<boolean> {
  if (!cfg.berthUrl) return false;
  const res = await berthRequest(cfg.berthUrl, "/api/agent/whoami", { host: cfg, ca: cfg.ca });
  res.resume();
  return res.statusCode === 401;
}

type Deps = {
  cfg: AgentConfig;
  docker: Dockerode;
  log: (m: string) => void;
  /** Tests replace the exit. */
  exit?: (code: number) => void;
  /** At most one question to Berth per this interval, however many connections are refused. */
  intervalMs?: number;
};

/** Returns the Redis error listener that asks Berth when a login is refused, and ends the agent if its host is gone. */
export function watchForRemoval({ cfg, docker, log, exit = process.exit, intervalMs = 10_000 }: Deps): (e: Error) => void {
  let asking = false;
  let last = 0;
  return (e) => {
    if (!cfg.berthUrl || !LOGIN_REFUSED.test(e.message) || asking || Date.now() - last < intervalMs) return;
    asking = true;
    last = Date.now();
    hostRemoved(cfg)
      .then(async (removed) => {
        if (!removed) return log("Redis refused this host's login, but Berth still knows the host: trying again");
        log(REMOVED_MESSAGE);
        // Else Docker would start the agent again, and again.
        if (inAgentImage()) await stopRestarting(docker).catch((err) => log(`could not stop Docker restarting this agent: ${(err as Error).message}`));
        exit(0);
      })
      .catch((err) => log(`Redis refused this host's login, and Berth could not say why (${(err as Error).message}): trying again`))
      .finally(() => {
        asking = false;
      });
  };
}
