"use server";
// The instance owner's settings: each action goes through the chain (lib/api/operations/instance.ts).
import { formAction } from "@/lib/api/form";
import { attachLocalHostOp, detachLocalHostOp, setSignupPolicyOp } from "@/lib/api/operations/instance";
import { describeSignupPolicy } from "@/lib/validation/instance";

export const setSignupPolicyAction = formAction(setSignupPolicyOp, {
  done: (s) => ({ message: `Saved: sign-up is ${describeSignupPolicy(s)}.`, revalidate: "/instance" }),
});

// The team's host list changes too, hence the whole layout.
export const attachLocalHostAction = formAction(attachLocalHostOp, {
  done: (s) => ({ message: `This machine's Docker now belongs to ${s.host?.team?.name ?? "the team"}.`, revalidate: ["/", "layout"] }),
});

export const detachLocalHostAction = formAction(detachLocalHostOp, {
  done: () => ({ message: "This machine's Docker belongs to no team now.", revalidate: ["/", "layout"] }),
});
