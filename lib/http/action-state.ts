// Server actions are public POST endpoints: each one authenticates itself (lib/auth/session) and reports
// failures as state for the form that called it, never as an unhandled throw.
import { revalidatePath } from "next/cache";
import { redirect, unstable_rethrow } from "next/navigation";
import { AppError, type FieldErrors } from "@/lib/errors";
import { formProblem } from "@/lib/validation/parse";

export type ActionState = {
  ok?: boolean;
  message?: string;
  error?: string;
  fields?: FieldErrors;
  /** Echoed input, so a failed form keeps what the user typed. */
  values?: Record<string, string>;
  data?: Record<string, string>;
};

/** Fields whose value is never sent back to the page: passwords, access tokens, secret values, .env text. */
const NEVER_ECHOED = ["password", "currentPassword", "newPassword", "confirm", "token", "dotenv"];

function echoable(values: Record<string, string> | undefined): Record<string, string> {
  const safe = { ...values };
  for (const name of NEVER_ECHOED) delete safe[name];
  if (safe.secret) delete safe.value; // a variable marked secret
  return safe;
}

export async function runAction(fn: () => Promise<Partial<ActionState> | void>, values?: Record<string, string>): Promise<ActionState> {
  const problem = formProblem(values);
  if (problem) return { ok: false, error: problem };
  try {
    return { ok: true, ...(await fn()) };
  } catch (e) {
    unstable_rethrow(e); // redirect() and notFound() are control flow, not failures
    const safe = echoable(values);
    if (e instanceof AppError) {
      const fields = "fields" in e ? (e as { fields: FieldErrors }).fields : undefined;
      return { ok: false, error: e.message, fields, values: safe };
    }
    console.error("action failed:", e);
    return { ok: false, error: "Something went wrong on our side; nothing was changed. Try again.", values: safe };
  }
}

/**
 * For actions that end somewhere else (created a team, joined, left, deleted): on success the header's team
 * list is refreshed and the browser goes to the path `fn` returned; on failure the form gets its state.
 */
export async function runActionThenGo(fn: () => Promise<string>, values?: Record<string, string>): Promise<ActionState> {
  let to: string | undefined;
  const state = await runAction(async () => {
    to = await fn();
  }, values);
  if (to) {
    revalidatePath("/", "layout");
    redirect(to);
  }
  return state;
}
