import Link from "next/link";
import { redirect } from "next/navigation";
import { SignUpForm } from "@/components/auth/sign-up-form";
import { buttonClass } from "@/components/ui/button-class";
import { currentUser } from "@/lib/auth/session";
import { signUpPageInfo } from "@/lib/data/instance-settings";
import { listDomains } from "@/lib/validation/instance";
import { signUpAction } from "./actions";

export const metadata = { title: "Create your account" };

// What the page says follows the instance's sign-up policy; signUp() enforces it whatever the page showed.
export default async function SignUpPage() {
  if (await currentUser()) redirect("/");
  const { first, signupPolicy, signupDomains } = await signUpPageInfo();
  if (!first && signupPolicy === "INVITE_ONLY") {
    return (
      <>
        <h1 className="mb-1 text-lg font-semibold">Sign-up is by invitation</h1>
        <p className="mb-5 text-sm text-slate-500">
          To join this Berth, ask a team admin to invite you, then follow the link in the invite: it makes your account.
        </p>
        <Link href="/signin" className={buttonClass("secondary", "w-full")}>
          I have an account: sign in
        </Link>
      </>
    );
  }
  const intro = first
    ? "You are the first person here: your account will own this Berth and choose who else may sign up (by invitation, until you change it)."
    : signupPolicy === "DOMAINS"
      ? `Use an ${listDomains(signupDomains)} address. Invited with another address? Follow the link in the invite instead.`
      : "Then create a team, or accept an invite to one.";
  return (
    <>
      <h1 className="mb-1 text-lg font-semibold">{first ? "Set up Berth" : "Create your account"}</h1>
      <p className="mb-5 text-sm text-slate-500">{intro}</p>
      <SignUpForm action={signUpAction} next="/teams/new" />
    </>
  );
}
