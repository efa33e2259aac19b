import Link from "next/link";
import { SignInForm } from "@/components/auth/sign-in-form";
import { SignUpForm } from "@/components/auth/sign-up-form";
import { ActionForm } from "@/components/ui/action-form";
import { Alert } from "@/components/ui/alert";
import { SubmitButton } from "@/components/ui/button";
import { buttonClass } from "@/components/ui/button-class";
import { currentUser } from "@/lib/auth/session";
import { previewInvite } from "@/lib/data/invites";
import { NotFoundError } from "@/lib/errors";
import { ROLE_LABEL } from "@/lib/permissions";
import { acceptInviteAction, signUpWithInviteAction } from "./actions";

export const metadata = { title: "Invitation" };

const UNUSABLE = {
  accepted: "This invite has already been used.",
  revoked: "This invite was revoked.",
  expired: "This invite has expired.",
} as const;

export default async function InvitePage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  const invite = await previewInvite(token).catch((e) => {
    if (e instanceof NotFoundError) return null;
    throw e;
  });
  if (!invite) {
    return <Problem title="Invite not found" text="This invite link is not valid. Ask a team admin for a new one." />;
  }
  if (invite.status !== "pending") {
    return <Problem title={`Invite to ${invite.team.name}`} text={`${UNUSABLE[invite.status]} Ask a team admin for a new one.`} />;
  }

  const user = await currentUser();
  const here = `/invite/${token}`;
  const heading = (
    <>
      <h1 className="text-lg font-semibold">Join {invite.team.name}</h1>
      <p className="mb-5 mt-1 text-sm text-slate-500">
        {invite.createdBy?.name ?? "A team admin"} invited <span className="font-medium text-slate-700">{invite.email}</span> as{" "}
        {ROLE_LABEL[invite.role].toLowerCase()}.
      </p>
    </>
  );

  if (user) {
    if (user.email !== invite.email) {
      return (
        <>
          {heading}
          <Alert tone="warning">
            You are signed in as {user.email}, but this invite is for {invite.email}. Sign out and sign in as {invite.email} to accept it.
          </Alert>
        </>
      );
    }
    return (
      <>
        {heading}
        <ActionForm action={acceptInviteAction}>
          <input type="hidden" name="token" value={token} />
          <SubmitButton className="w-full" pendingLabel="Joining…">
            Accept and join {invite.team.name}
          </SubmitButton>
        </ActionForm>
      </>
    );
  }

  return (
    <>
      {heading}
      {invite.accountExists ? (
        <>
          <p className="mb-3 text-sm text-slate-600">Sign in as {invite.email} to accept.</p>
          <SignInForm next={here} defaultEmail={invite.email} lockedEmail />
        </>
      ) : (
        <SignUpForm action={signUpWithInviteAction} next={here} email={invite.email} submitLabel="Create account and join" hidden={{ token }} />
      )}
    </>
  );
}

function Problem({ title, text }: { title: string; text: string }) {
  return (
    <>
      <h1 className="mb-3 text-lg font-semibold">{title}</h1>
      <Alert tone="error">{text}</Alert>
      <Link href="/" className={buttonClass("secondary", "mt-5 w-full")}>
        Go to Berth
      </Link>
    </>
  );
}
