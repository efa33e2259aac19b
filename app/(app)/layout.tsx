import Link from "next/link";
import { Logo } from "@/components/logo";
import { TeamSwitcher } from "@/components/shell/team-switcher";
import { UserMenu } from "@/components/shell/user-menu";
import { myTeams, requireUser } from "@/lib/auth/session";
import { isInstanceOwner } from "@/lib/data/instance-owner";

export default async function AppLayout({ children }: { children: React.ReactNode }) {
  const user = await requireUser();
  const [teams, instanceOwner] = await Promise.all([myTeams(), isInstanceOwner(user)]);
  return (
    <div className="min-h-screen">
      <header className="border-b border-slate-200 bg-white">
        <div className="mx-auto flex h-14 max-w-6xl items-center justify-between gap-4 px-4">
          <div className="flex items-center gap-3">
            <Link href="/" aria-label="Berth home">
              <Logo />
            </Link>
            <span className="text-slate-300">/</span>
            <TeamSwitcher teams={teams.map(({ slug, name }) => ({ slug, name }))} />
          </div>
          <UserMenu name={user.name} email={user.email} instanceOwner={instanceOwner} />
        </div>
      </header>
      {children}
    </div>
  );
}
