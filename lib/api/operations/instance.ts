// The instance owner's settings: who may sign up, and which team this machine's Docker belongs to. Browser
// sessions only; the data layer answers "not found" to anyone but the instance owner.
import { z } from "zod";
import { getSignupSettings, setSignupPolicy } from "@/lib/data/instance-settings";
import { attachLocalHost, detachLocalHost, localHostState } from "@/lib/data/local-host";
import { attachLocalHostInput, signupPolicyInput } from "@/lib/validation/instance";
import { instanceSettings, localHostState as localHostOutput, signupSettings } from "../outputs/instance";
import { userOp, type Operation } from "../operation";

export const getInstanceOp = userOp({
  id: "instance.get",
  method: "GET",
  path: "/instance",
  summary: "The instance's settings (instance owner only): the sign-up policy and its domains, and where this machine's Docker belongs.",
  input: z.object({}),
  output: instanceSettings,
  run: async (user) => ({ ...(await getSignupSettings(user)), localHost: await localHostState(user) }),
});

export const setSignupPolicyOp = userOp({
  id: "instance.signup-policy",
  method: "PUT",
  path: "/instance/signup-policy",
  summary:
    "Who may sign up without an invite: OPEN (anyone), INVITE_ONLY, or DOMAINS (emails at the listed domains; exact match, subdomains only when listed). Invites always work. Leaving out the domains keeps the saved ones.",
  input: signupPolicyInput,
  output: signupSettings,
  run: (user, i) => setSignupPolicy(user, i),
});

export const attachLocalHostOp = userOp({
  id: "instance.local-host.attach",
  method: "PUT",
  path: "/instance/local-host",
  summary: "Give this machine's Docker to a team you are an admin or owner of, while it belongs to no team and BERTH_LOCAL_HOST is unset.",
  input: attachLocalHostInput,
  output: localHostOutput,
  run: async (user, i) => {
    await attachLocalHost(user, i);
    return localHostState(user);
  },
});

export const detachLocalHostOp = userOp({
  id: "instance.local-host.detach",
  method: "DELETE",
  path: "/instance/local-host",
  summary: "Take this machine's Docker from its team (refused while that team's services run or deploy on it), while BERTH_LOCAL_HOST is unset.",
  input: z.object({}),
  output: localHostOutput,
  run: async (user) => {
    await detachLocalHost(user);
    return localHostState(user);
  },
});

export const instanceOps: Operation[] = [getInstanceOp, setSignupPolicyOp, attachLocalHostOp, detachLocalHostOp];
