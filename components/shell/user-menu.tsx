"use client";
import { signOut } from "next-auth/react";
import Link from "next/link";

/** `instanceOwner`: the link to the instance settings, which only the instance owner has. */
export function UserMenu({ name, email, instanceOwner = false }: { name: string; email: string; instanceOwner?: boolean }) {
  return (
    <div className="flex items-center gap-3">
      {instanceOwner && (
        <Link href="/instance" className="text-sm text-slate-600 hover:text-brand-700" title="Sign-up policy and this machine's Docker">
          Instance
        </Link>
      )}
      <Link href="/account" className="text-right text-sm leading-tight hover:text-brand-700" title="Your account">
        <span className="block font-medium text-slate-800">{name}</span>
        <span className="block text-xs text-slate-500">{email}</span>
      </Link>
      <button
        type="button"
        onClick={() => signOut({ callbackUrl: "/signin" })}
        className="rounded-md px-2.5 py-1.5 text-sm text-slate-600 ring-1 ring-inset ring-slate-200 hover:bg-slate-50"
      >
        Sign out
      </button>
    </div>
  );
}
