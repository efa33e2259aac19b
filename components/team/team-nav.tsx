"use client";
import Link from "next/link";
import { usePathname } from "next/navigation";

export type NavItem = { href: string; label: string; exact?: boolean };

/** Tabs (or a side list) whose active item follows the URL. */
export function NavLinks({ items, variant = "tabs" }: { items: NavItem[]; variant?: "tabs" | "side" }) {
  const path = usePathname();
  return (
    <nav className={variant === "tabs" ? "flex gap-1" : "flex flex-col gap-0.5"}>
      {items.map((item) => {
        const active = item.exact ? path === item.href : path === item.href || path.startsWith(`${item.href}/`);
        const cls =
          variant === "tabs"
            ? `border-b-2 px-3 py-2.5 text-sm font-medium ${active ? "border-brand-600 text-brand-700" : "border-transparent text-slate-600 hover:border-slate-300 hover:text-slate-900"}`
            : `rounded-md px-3 py-2 text-sm ${active ? "bg-white font-medium text-brand-700 shadow-sm ring-1 ring-slate-200" : "text-slate-600 hover:bg-white/70 hover:text-slate-900"}`;
        return (
          <Link key={item.href} href={item.href} aria-current={active ? "page" : undefined} className={cls}>
            {item.label}
          </Link>
        );
      })}
    </nav>
  );
}
