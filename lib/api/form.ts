// Server actions made from operations: the form's fields are the input, the chain (lib/api/invoke.ts)
// does the rest, and `done` turns the answer into what the page shows (a message, data, or where to go).
// Server actions are public POST endpoints: nothing here trusts the form more than the JSON API would.
import { revalidatePath } from "next/cache";
import { headers } from "next/headers";
import { redirect } from "next/navigation";
import type { z } from "zod";
import { apiPrincipal } from "@/lib/auth/session";
import { runAction, type ActionState } from "@/lib/http/action-state";
import { clientIp } from "@/lib/http/client-ip";
import { formObject } from "@/lib/validation/parse";
import { invoke } from "./invoke";
import type { Operation } from "./operation";

type Values = Record<string, string>;
type Output<O extends Operation> = z.output<O["output"]>;

/** What a form shows after success; `go` leaves the page (the header's team list is refreshed first). */
export type Done = Partial<ActionState> & { go?: string; revalidate?: string | [string, "layout" | "page"] };

export type FormOptions<O extends Operation> = {
  /**
   * Form fields → the operation's input, when they differ (the default passes the fields as they are). `values`
   * holds one value per name; `form` has them all, for a name sent more than once (boxes ticked under one name).
   */
  input?: (values: Values, form: FormData) => Record<string, unknown>;
  done?: (out: Output<O>, values: Values) => Done | void | Promise<Done | void>;
};

export function formAction<O extends Operation>(op: O, opts: FormOptions<O> = {}) {
  return async function action(_prev: ActionState | undefined, form: FormData): Promise<ActionState> {
    const values = formObject(form);
    let go: string | undefined;
    const state = await runAction(async () => {
      const call = { team: values.team, input: () => (opts.input ? opts.input(values, form) : values) };
      const out = (await invoke(op, await apiPrincipal(), call, { ip: clientIp(await headers()) })) as Output<O>;
      const done = (await opts.done?.(out, values)) ?? {};
      if (done.revalidate) {
        const [path, type] = Array.isArray(done.revalidate) ? done.revalidate : [done.revalidate, undefined];
        revalidatePath(path, type);
      }
      go = done.go;
      const { go: _go, revalidate: _r, ...shown } = done;
      return shown;
    }, values);
    if (go && state.ok) {
      revalidatePath("/", "layout");
      redirect(go);
    }
    return state;
  };
}
