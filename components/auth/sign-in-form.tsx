"use client";
import { signIn } from "next-auth/react";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { Alert } from "@/components/ui/alert";
import { buttonClass } from "@/components/ui/button-class";
import { Field } from "@/components/ui/field";

const WRONG = "That email and password do not match an account.";

/**
 * Signs in with next-auth's credentials provider, then continues to `next`. A refusal (a wrong password,
 * or throttling with how long to wait) is shown with the way out that always works: a reset link by email.
 */
export function SignInForm({ next, defaultEmail, lockedEmail }: { next: string; defaultEmail?: string; lockedEmail?: boolean }) {
  const router = useRouter();
  const [error, setError] = useState<string>();
  const [pending, setPending] = useState(false);

  async function onSubmit(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    setPending(true);
    setError(undefined);
    const res = await signIn("credentials", { email: form.get("email"), password: form.get("password"), redirect: false });
    if (!res || res.error) {
      setPending(false);
      setError(res?.error && res.error !== "CredentialsSignin" ? res.error : WRONG);
      return;
    }
    router.replace(next);
    router.refresh();
  }

  return (
    <form onSubmit={onSubmit} className="space-y-4" noValidate>
      {error && (
        <Alert tone="error">
          <span data-testid="sign-in-error">{error}</span>
          {error !== WRONG && (
            <Link href="/reset" className="mt-1 block font-medium underline">
              Reset your password by email
            </Link>
          )}
        </Alert>
      )}
      <Field label="Email" name="email" type="email" autoComplete="email" required defaultValue={defaultEmail} readOnly={lockedEmail} />
      <div>
        <Field label="Password" name="password" type="password" autoComplete="current-password" required />
        <p className="mt-1 text-right text-xs">
          <Link href="/reset" className="text-brand-600 hover:underline">
            Forgot password?
          </Link>
        </p>
      </div>
      <button type="submit" disabled={pending} className={buttonClass("primary", "w-full")}>
        {pending ? "Signing in…" : "Sign in"}
      </button>
      {!lockedEmail && (
        <p className="text-center text-sm text-slate-500">
          New to Berth?{" "}
          <Link href="/signup" className="font-medium text-brand-600 hover:underline">
            Create an account
          </Link>
        </p>
      )}
    </form>
  );
}
