import Link from "next/link";
import { Logo } from "@/components/logo";
import { buttonClass } from "@/components/ui/button-class";

export default function NotFound() {
  return (
    <main className="flex min-h-screen flex-col items-center justify-center px-4 text-center">
      <Logo className="mb-8 text-xl" />
      <h1 className="text-2xl font-semibold">Not found</h1>
      <p className="mt-2 max-w-md text-sm text-slate-500">This page does not exist, or it belongs to a team you are not a member of.</p>
      <Link href="/" className={buttonClass("secondary", "mt-6")}>
        Back to your teams
      </Link>
    </main>
  );
}
