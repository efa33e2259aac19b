import { NavLinks, type NavItem } from "@/components/team/team-nav";
import { requireTeam } from "@/lib/auth/session";
import { can } from "@/lib/permissions";

export default async function SettingsLayout({ children, params }: { children: React.ReactNode; params: Promise<{ slug: string }> }) {
  const ctx = await requireTeam((await params).slug);
  const base = `/t/${ctx.team.slug}/settings`;
  const items: NavItem[] = [
    { href: base, label: "General", exact: true },
    { href: `${base}/variables`, label: "Shared variables" },
    { href: `${base}/tokens`, label: "API tokens" },
  ];
  if (can(ctx.role, "notification.read")) items.push({ href: `${base}/notifications`, label: "Notifications" });
  if (can(ctx.role, "member.manage")) items.push({ href: `${base}/members`, label: "Members" });
  if (can(ctx.role, "audit.read")) items.push({ href: `${base}/audit`, label: "Audit log" });
  if (can(ctx.role, "outbox.read")) items.push({ href: `${base}/outbox`, label: "Email outbox" });
  return (
    <div className="flex flex-col gap-8 md:flex-row">
      <aside className="md:w-48 md:shrink-0">
        <NavLinks items={items} variant="side" />
      </aside>
      <div className="min-w-0 flex-1">{children}</div>
    </div>
  );
}
