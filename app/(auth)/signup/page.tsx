import { redirect } from "next/navigation";
import { SignUpForm } from "@/components/auth/sign-up-form";
import { currentUser } from "@/lib/auth/session";
import { countUsers } from "@/lib/data/users";
import { signUpAction } from "./actions";

export const metadata = { title: "Create your account" };

export default async function SignUpPage() {
  if (await currentUser()) redirect("/");
  const first = (await countUsers()) === 0;
  return (
    <>
      <h1 className="mb-1 text-lg font-semibold">{first ? "Set up Berth" : "Create your account"}</h1>
      <p className="mb-5 text-sm text-slate-500">
        {first ? "You are the first person here: your account will own the first team." : "Then create a team, or accept an invite to one."}
      </p>
      <SignUpForm action={signUpAction} next="/teams/new" />
    </>
  );
}
