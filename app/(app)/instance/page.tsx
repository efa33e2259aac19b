import Link from "next/link";
import { notFound } from "next/navigation";
import { SignupPolicyFields } from "@/components/instance/signup-policy-fields";
import { PageHeader } from "@/components/shell/page-header";
import { describeAudit } from "@/components/team/audit-describe";
import { RelativeTime } from "@/components/time";
import { ActionForm } from "@/components/ui/action-form";
import { Alert } from "@/components/ui/alert";
import { SubmitButton } from "@/components/ui/button";
import { Badge, Card } from "@/components/ui/card";
import { Select } from "@/components/ui/field";
import { requireUser } from "@/lib/auth/session";
import { isInstanceOwner } from "@/lib/data/instance-owner";
import { getSignupSettings, listInstanceAudit } from "@/lib/data/instance-settings";
import { localHostState } from "@/lib/data/local-host";
import { attachLocalHostAction, detachLocalHostAction, setSignupPolicyAction } from "./actions";

export const metadata = { title: "Instance settings" };

const STATUS_COLOR = { ONLINE: "green", OFFLINE: "red", PENDING: "amber" } as const;

export default async function InstancePage() {
  const user = await requireUser();
  if (!(await isInstanceOwner(user))) notFound();
  const [signup, local, recent] = await Promise.all([getSignupSettings(user), localHostState(user), listInstanceAudit(user)]);
  const { host } = local;
  return (
    <main className="mx-auto max-w-2xl space-y-6 px-4 py-10">
      <PageHeader title="Instance settings" description="For this whole Berth. Only you, its owner (its first account), see this page." />

      <Card title="Sign-up" description="Who may make an account here. Someone a team admin invites can always sign up through the invite's link.">
        <ActionForm action={setSignupPolicyAction}>
          <SignupPolicyFields policy={signup.signupPolicy} domains={signup.signupDomains} />
          <SubmitButton pendingLabel="Saving…">Save sign-up policy</SubmitButton>
        </ActionForm>
      </Card>

      <Card
        title="This machine's Docker"
        description="The Docker Engine of the machine Berth runs on. The team it belongs to can run anything on it, so it goes only where you put it."
      >
        <div className="space-y-4 text-sm text-slate-700" data-testid="local-host">
          {!host ? (
            <p>Not registered yet: Berth registers this machine when it starts (npm start).</p>
          ) : host.team ? (
            <p>
              Belongs to{" "}
              {host.team.member ? (
                <Link href={`/t/${host.team.slug}/hosts/${host.id}`} className="font-medium text-brand-700 hover:underline">
                  {host.team.name}
                </Link>
              ) : (
                <span className="font-medium">{host.team.name}</span>
              )}{" "}
              as “{host.name}” <Badge color={STATUS_COLOR[host.status as keyof typeof STATUS_COLOR] ?? "gray"}>{host.status.toLowerCase()}</Badge>
            </p>
          ) : (
            <p>Belongs to no team: nobody can run anything on it through Berth.</p>
          )}
          {local.configured ? (
            <Alert>
              {local.configured} decides which team gets it
              {local.configured.endsWith("=first-team") ? " (the first team made)" : " (once that team exists)"}. Unset it and restart Berth to choose here.
            </Alert>
          ) : host?.team ? (
            <ActionForm action={detachLocalHostAction} confirm={`Take this machine's Docker from ${host.team.name}?`}>
              <p className="text-xs text-slate-500">Detaching needs the team to have moved or removed its services on it first.</p>
              <SubmitButton variant="secondary" pendingLabel="Detaching…">
                Detach from {host.team.name}
              </SubmitButton>
            </ActionForm>
          ) : host && local.teams.length ? (
            <ActionForm action={attachLocalHostAction} className="flex flex-wrap items-end gap-3">
              <Select label="Give it to" name="team" defaultValue={local.teams[0]!.slug} className="min-w-56">
                {local.teams.map((t) => (
                  <option key={t.slug} value={t.slug}>
                    {t.name}
                  </option>
                ))}
              </Select>
              <SubmitButton pendingLabel="Attaching…">Attach</SubmitButton>
            </ActionForm>
          ) : host ? (
            <p className="text-slate-500">
              To give it to a team, be an admin or owner of one: <Link href="/teams/new">create a team</Link>.
            </p>
          ) : null}
        </div>
      </Card>

      <Card title="Recent changes" description="Instance settings changes, newest first.">
        {recent.length ? (
          <ul className="divide-y divide-slate-100 text-sm">
            {recent.map((e) => (
              <li key={e.id} className="flex justify-between gap-4 py-2">
                <span>
                  <span className="font-medium text-slate-800">{e.actorEmail}</span> {describeAudit(e)}
                  {e.team && <span className="text-slate-500"> · {e.team.name}</span>}
                </span>
                <span className="shrink-0 text-xs text-slate-500">
                  <RelativeTime date={e.createdAt} />
                </span>
              </li>
            ))}
          </ul>
        ) : (
          <p className="text-sm text-slate-500">No changes yet.</p>
        )}
      </Card>
    </main>
  );
}
