import Link from "next/link";
import { ActionForm } from "@/components/ui/action-form";
import { Alert } from "@/components/ui/alert";
import { SubmitButton } from "@/components/ui/button";
import { buttonClass } from "@/components/ui/button-class";
import { Field } from "@/components/ui/field";
import { previewPasswordReset } from "@/lib/data/password-reset";
import { NotFoundError } from "@/lib/errors";
import { PASSWORD_MIN } from "@/lib/validation/fields";
import { resetPasswordAction } from "../actions";

export const metadata = { title: "Set a new password" };

const UNUSABLE = {
  used: "This reset link was already used, or the password changed since it was sent.",
  expired: "This reset link has expired.",
} as const;

/** Opening the link changes nothing (mail scanners open links too); only submitting the form does. */
export default async function ResetPasswordPage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  const reset = await previewPasswordReset(token).catch((e) => (e instanceof NotFoundError ? null : Promise.reject(e)));
  if (reset?.status !== "pending") {
    return (
      <>
        <h1 className="mb-3 text-lg font-semibold">Reset link not usable</h1>
        <Alert tone="error">{reset ? UNUSABLE[reset.status] : "This reset link is not valid."} Ask for a new one.</Alert>
        <Link href="/reset" className={buttonClass("secondary", "mt-5 w-full")}>
          Ask for a new link
        </Link>
      </>
    );
  }
  return (
    <>
      <h1 className="mb-1 text-lg font-semibold">Set a new password</h1>
      <p className="mb-5 text-sm text-slate-500">
        For <span className="font-medium text-slate-700">{reset.email}</span>. Every session of this account is signed out.
      </p>
      <ActionForm action={resetPasswordAction}>
        <input type="hidden" name="token" value={token} />
        <Field label="New password" name="password" type="password" autoComplete="new-password" required hint={`At least ${PASSWORD_MIN} characters.`} />
        <SubmitButton className="w-full" pendingLabel="Saving…">
          Set password
        </SubmitButton>
      </ActionForm>
    </>
  );
}
