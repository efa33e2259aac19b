"use client";
import { signIn } from "next-auth/react";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { FormMessage } from "@/components/ui/alert";
import { buttonClass } from "@/components/ui/button-class";
import { Field } from "@/components/ui/field";
import type { ActionState } from "@/lib/http/action-state";
import { PASSWORD_MIN } from "@/lib/validation/fields";

type Change = (prev: ActionState | undefined, form: FormData) => Promise<ActionState>;

/** Changing the password ends every session, this one included: sign straight back in with the new one. */
export function ChangePasswordForm({ action, email }: { action: Change; email: string }) {
  const router = useRouter();
  const [state, setState] = useState<ActionState>();
  const [pending, setPending] = useState(false);

  async function onSubmit(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const formEl = e.currentTarget;
    const form = new FormData(formEl);
    setPending(true);
    const result = await action(undefined, form);
    if (result.ok) {
      const res = await signIn("credentials", { email, password: form.get("newPassword"), redirect: false });
      if (res?.error) return router.replace("/signin?changed=1");
      formEl.reset();
      router.refresh();
    }
    setState(result);
    setPending(false);
  }

  return (
    <form onSubmit={onSubmit} className="space-y-4" noValidate>
      <FormMessage state={state} />
      <Field label="Current password" name="currentPassword" type="password" autoComplete="current-password" error={state?.fields?.currentPassword} />
      <Field label="New password" name="newPassword" type="password" autoComplete="new-password" error={state?.fields?.newPassword} hint={`At least ${PASSWORD_MIN} characters.`} />
      <button type="submit" disabled={pending} className={buttonClass("primary")}>
        {pending ? "Changing…" : "Change password"}
      </button>
    </form>
  );
}
