import { redirect } from "next/navigation";
import { currentUser } from "@/lib/auth/session";
import { listMyTeams } from "@/lib/data/teams";
import { countUsers } from "@/lib/data/users";

/** The front door: first visit → sign-up; signed out → sign-in; signed in → the first team. */
export default async function Home() {
  const user = await currentUser();
  if (!user) redirect((await countUsers()) === 0 ? "/signup" : "/signin");
  const teams = await listMyTeams(user);
  redirect(teams[0] ? `/t/${teams[0].slug}` : "/teams/new");
}
