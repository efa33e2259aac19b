"use server";
// Members' git usernames (lib/api/operations/previews.ts): one's own on the team settings page, anyone's on
// the members page.
import { formAction } from "@/lib/api/form";
import { setGitUsernamesOp } from "@/lib/api/operations/previews";

export const setGitUsernamesAction = formAction(setGitUsernamesOp, {
  done: (r, v) => ({
    revalidate: [`/t/${v.team}/settings`, "layout"],
    message: r.gitUsernames.length ? `Saved: ${r.gitUsernames.join(", ")}.` : "Saved: no git usernames.",
  }),
});
