import Link from "next/link";
import { ActionForm } from "@/components/ui/action-form";
import { SubmitButton } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { requestResetAction } from "./actions";

export const metadata = { title: "Reset your password" };

export default function RequestResetPage() {
  return (
    <>
      <h1 className="mb-1 text-lg font-semibold">Reset your password</h1>
      <p className="mb-5 text-sm text-slate-500">
        Enter your account&apos;s email: we send it a link to set a new password. This also unlocks an account that too many failed sign-ins locked.
      </p>
      <ActionForm action={requestResetAction} resetOnSuccess>
        <Field label="Email" name="email" type="email" autoComplete="email" required />
        <SubmitButton className="w-full" pendingLabel="Sending…">
          Send reset link
        </SubmitButton>
      </ActionForm>
      <p className="mt-4 text-center text-sm text-slate-500">
        Remembered it?{" "}
        <Link href="/signin" className="font-medium text-brand-600 hover:underline">
          Sign in
        </Link>
      </p>
    </>
  );
}
