import { redirect } from "next/navigation";
import { SignInForm } from "@/components/auth/sign-in-form";
import { currentUser } from "@/lib/auth/session";
import { safeNext } from "@/lib/http/safe-next";

export const metadata = { title: "Sign in" };

export default async function SignInPage({ searchParams }: { searchParams: Promise<{ next?: string | string[]; changed?: string }> }) {
  const { next, changed } = await searchParams;
  if (await currentUser()) redirect(safeNext(next));
  return (
    <>
      <h1 className="mb-1 text-lg font-semibold">Sign in</h1>
      <p className="mb-5 text-sm text-slate-500">
        {changed ? "Your password was changed and every session signed out. Sign in with the new one." : "Welcome back."}
      </p>
      <SignInForm next={safeNext(next)} />
    </>
  );
}
