// What the API says about the instance's settings: the sign-up policy, and which team this machine's Docker is in.
import { z } from "zod";
import { SIGNUP_POLICIES } from "@/lib/validation/instance";

export const signupSettings = z.object({ signupPolicy: z.enum(SIGNUP_POLICIES), signupDomains: z.array(z.string()) });

const teamName = z.object({ slug: z.string(), name: z.string() });

export const localHostState = z.object({
  /** Set when BERTH_LOCAL_HOST decides (e.g. "BERTH_LOCAL_HOST=first-team"); null when the instance owner does. */
  configured: z.string().nullable(),
  /** Null until Berth has registered this machine (at `npm start`). */
  /** `team.member`: whether the caller is in that team (and so can open its host page). */
  host: z.object({ id: z.string(), name: z.string(), status: z.string(), team: teamName.extend({ member: z.boolean() }).nullable() }).nullable(),
  /** The teams the caller could give it to (they are an admin or owner there). */
  teams: z.array(teamName),
});

export const instanceSettings = signupSettings.extend({ localHost: localHostState });
