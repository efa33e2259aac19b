// The caller's own account (who am I, name, password) and the ways in that need no account yet: sign-up
// and password reset. Signing in itself is next-auth's (app/api/auth).
import { z } from "zod";
import { requestPasswordReset, resetPassword } from "@/lib/data/password-reset";
import { changePassword, signUp, updateProfile } from "@/lib/data/users";
import { describeCaller } from "@/lib/data/whoami";
import { email, password } from "@/lib/validation/fields";
import { changePasswordInput, signUpInput, updateProfileInput } from "@/lib/validation/schemas";
import { account, whoami } from "../outputs/account";
import { publicOp, userOp, type Operation } from "../operation";

export const meOp = userOp({
  id: "account.me",
  method: "GET",
  path: "/me",
  summary: "Who is calling: the account, and for an API token its team, scopes, expiry and the project or environment it is limited to.",
  tokens: true,
  input: z.object({}),
  output: whoami,
  run: (user, _i, meta) => describeCaller(user, meta.tokenTeamId && meta.tokenId ? { teamId: meta.tokenTeamId, tokenId: meta.tokenId } : null),
});

export const updateProfileOp = userOp({
  id: "account.update",
  method: "PATCH",
  path: "/me",
  summary: "Change your name.",
  input: updateProfileInput,
  output: account,
  run: (user, i) => updateProfile(user, i),
});

export const changePasswordOp = userOp({
  id: "account.password",
  method: "POST",
  path: "/me/password",
  summary: "Change your password: your other sessions end, and reset links sent before stop working.",
  input: changePasswordInput,
  output: z.void(),
  status: 204,
  run: (user, i, meta) => changePassword(user, i, meta.sessionId),
});

export const signUpOp = publicOp({
  id: "account.signup",
  method: "POST",
  path: "/signup",
  summary: "Make an account (as the instance's sign-up policy allows). Sign in afterwards.",
  input: signUpInput,
  output: account,
  status: 201,
  run: (i) => signUp(i),
});

export const requestResetOp = publicOp({
  id: "account.reset.request",
  method: "POST",
  path: "/password-reset",
  summary: "Send a link to set a new password, if an account has this email. The answer is the same either way.",
  input: z.object({ email }),
  output: z.void(),
  status: 204,
  run: (i, meta) => requestPasswordReset(i, meta.ip),
});

export const resetPasswordOp = publicOp({
  id: "account.reset.confirm",
  method: "POST",
  path: "/password-reset/confirm",
  summary: "Set a new password with a reset link's token: the link is used up and every session of the account ends.",
  input: z.object({
    token: z.string({ error: "This reset link is not valid." }).min(1, "This reset link is not valid.").max(200, "This reset link is not valid."),
    password,
  }),
  output: z.object({ email: z.string() }),
  run: (i) => resetPassword(i.token, i),
});

export const accountOps: Operation[] = [meOp, updateProfileOp, changePasswordOp, signUpOp, requestResetOp, resetPasswordOp];
