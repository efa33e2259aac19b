"use client";
import { signIn } from "next-auth/react";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { FormMessage } from "@/components/ui/alert";
import { buttonClass } from "@/components/ui/button-class";
import { Field } from "@/components/ui/field";
import type { ActionState } from "@/lib/http/action-state";
import { PASSWORD_MIN } from "@/lib/validation/fields";

type SignUp = (prev: ActionState | undefined, form: FormData) => Promise<ActionState>;

/** Creates the account through `action`, then signs in with the same credentials and goes to `next`. */
export function SignUpForm({
  action,
  next,
  email,
  submitLabel = "Create account",
  hidden = {},
}: {
  action: SignUp;
  next: string;
  /** Fixed email (invites are bound to one). */
  email?: string;
  submitLabel?: string;
  hidden?: Record<string, string>;
}) {
  const router = useRouter();
  const [state, setState] = useState<ActionState>();
  const [pending, setPending] = useState(false);

  async function onSubmit(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    setPending(true);
    const result = await action(undefined, form);
    if (!result.ok) {
      setState(result);
      setPending(false);
      return;
    }
    const res = await signIn("credentials", { email: email ?? form.get("email"), password: form.get("password"), redirect: false });
    if (res?.error) {
      setPending(false);
      setState({ ok: false, error: "Your account was created, but signing in failed. Sign in to continue." });
      return;
    }
    router.replace(result.data?.next ?? next);
    router.refresh();
  }

  return (
    <form onSubmit={onSubmit} className="space-y-4" noValidate>
      <FormMessage state={state} />
      {Object.entries(hidden).map(([k, v]) => (
        <input key={k} type="hidden" name={k} value={v} />
      ))}
      <Field label="Your name" name="name" autoComplete="name" required defaultValue={state?.values?.name} error={state?.fields?.name} />
      <Field
        label="Email"
        name="email"
        type="email"
        autoComplete="email"
        required
        defaultValue={email ?? state?.values?.email}
        readOnly={Boolean(email)}
        error={state?.fields?.email}
        hint={email ? "Invites are bound to this address." : undefined}
      />
      <Field
        label="Password"
        name="password"
        type="password"
        autoComplete="new-password"
        required
        error={state?.fields?.password}
        hint={`At least ${PASSWORD_MIN} characters.`}
      />
      <button type="submit" disabled={pending} className={buttonClass("primary", "w-full")}>
        {pending ? "Creating account…" : submitLabel}
      </button>
      {!email && (
        <p className="text-center text-sm text-slate-500">
          Already have an account?{" "}
          <Link href="/signin" className="font-medium text-brand-600 hover:underline">
            Sign in
          </Link>
        </p>
      )}
    </form>
  );
}
