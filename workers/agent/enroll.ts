// The agent's first start from the install command: it trades its one-time token (BERTH_ENROLL_TOKEN) for its
// long-lived credentials at POST <BERTH_URL>/api/agent/enroll. The token works once and expires, so a refusal
// is final and says what to do; Berth out of reach is worth trying again.
import { type EnrollmentCredentials, enrollmentCredentials } from "@/lib/hosts/enrollment";
import { BerthUnreachable, berthRequest, errorMessage, readText } from "./berth-http";

/** Berth said no to this token: retrying cannot help. */
export class EnrollmentRefused extends Error {}

export const TOKEN_REFUSED = "This install command was already used or has expired: add the host again in Berth.";

export async function enroll(berthUrl: string, token: string): Promise<EnrollmentCredentials> {
  let status: number;
  let text: string;
  try {
    const res = await berthRequest(berthUrl, "/api/agent/enroll", { method: "POST", json: { token } });
    status = res.statusCode ?? 0;
    text = await readText(res);
  } catch (e) {
    if (e instanceof BerthUnreachable) throw new Error(`${e.message}. Check that this machine reaches it; the agent tries again when it restarts.`);
    throw e;
  }
  if (status === 401 || status === 410) throw new EnrollmentRefused(TOKEN_REFUSED);
  if (status !== 200) throw new Error(`Berth refused the enrollment (HTTP ${status}): ${errorMessage(text) || "no reason given"}`);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new Error("Berth answered the enrollment with something that is not JSON: is BERTH_URL Berth's address?");
  }
  const parsed = enrollmentCredentials.safeParse(body);
  if (!parsed.success) throw new Error(`Berth's enrollment answer is not what this agent understands: ${parsed.error.issues[0]?.message ?? "invalid"}`);
  return parsed.data;
}
