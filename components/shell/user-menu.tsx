"use client";
import { signOut } from "next-auth/react";
import Link from "next/link";

export function UserMenu({ name, email }: { name: string; email: string }) {
  return (
    <div className="flex items-center gap-3">
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
