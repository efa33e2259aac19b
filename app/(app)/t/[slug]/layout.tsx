import { RoleBadge } from "@/components/role-badge";
import { NavLinks } from "@/components/team/team-nav";
import { requireTeam } from "@/lib/auth/session";

export default async function TeamLayout({ children, params }: { children: React.ReactNode; params: Promise<{ slug: string }> }) {
  const ctx = await requireTeam((await params).slug);
  const base = `/t/${ctx.team.slug}`;
  return (
    <>
      <div className="border-b border-slate-200 bg-white">
        <div className="mx-auto flex max-w-6xl items-center justify-between px-4">
          <NavLinks
            items={[
              { href: base, label: "Overview", exact: true },
              { href: `${base}/projects`, label: "Projects" },
              { href: `${base}/hosts`, label: "Hosts" },
              { href: `${base}/settings`, label: "Settings" },
            ]}
          />
          <span className="flex items-center gap-2 text-xs text-slate-500">
            Your role <RoleBadge role={ctx.role} />
          </span>
        </div>
      </div>
      <main className="mx-auto max-w-6xl px-4 py-8">{children}</main>
    </>
  );
}
