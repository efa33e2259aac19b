// berth status: hosts, then every service the token can see with its live release and latest deployment.
import { connect } from "../api-client";
import { EXIT } from "../errors";
import { Progress } from "../progress";
import { formatStatus, type TeamStatus } from "../status-table";

export async function status(o: { json?: boolean }): Promise<number> {
  const api = connect();
  const s = await new Progress().during("Reading the team's status", async () => api.json<TeamStatus>("GET", await api.teamPath("status")));
  console.log(o.json ? JSON.stringify(s, null, 2) : formatStatus(s, new Date()));
  return EXIT.ok;
}
