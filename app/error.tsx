"use client";
import { buttonClass } from "@/components/ui/button-class";

/** Shown when a page fails on the server; the digest matches the line in the server log. */
export default function ErrorPage({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <main className="flex min-h-[60vh] flex-col items-center justify-center px-4 text-center">
      <h1 className="text-2xl font-semibold">Something went wrong</h1>
      <p className="mt-2 max-w-md text-sm text-slate-500">
        Berth could not load this page. Nothing you submitted was half-saved. Try again; if it keeps happening, give your admin this reference:{" "}
        <code className="rounded bg-slate-100 px-1">{error.digest ?? "none"}</code>.
      </p>
      <button type="button" onClick={reset} className={buttonClass("primary", "mt-6")}>
        Try again
      </button>
    </main>
  );
}
