import { NavLinks } from "@/components/team/team-nav";

/** Channels and Deliveries, the two pages of the notification settings. */
export default async function NotificationsLayout({ children, params }: { children: React.ReactNode; params: Promise<{ slug: string }> }) {
  const base = `/t/${(await params).slug}/settings/notifications`;
  return (
    <div className="space-y-6">
      <div className="border-b border-slate-200">
        <NavLinks
          items={[
            { href: base, label: "Channels", exact: true },
            { href: `${base}/deliveries`, label: "Deliveries" },
          ]}
        />
      </div>
      {children}
    </div>
  );
}
