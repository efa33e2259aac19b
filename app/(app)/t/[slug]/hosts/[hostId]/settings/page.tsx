import { Forbidden } from "@/components/forbidden";
import { ActionForm } from "@/components/ui/action-form";
import { SubmitButton } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { Field } from "@/components/ui/field";
import { requireTeam } from "@/lib/auth/session";
import { getHost } from "@/lib/data/hosts";
import { can } from "@/lib/permissions";
import { hostDeploySettingsAction, removeHostAction, renameHostAction } from "../../actions";

export default async function HostSettingsPage({ params }: { params: Promise<{ slug: string; hostId: string }> }) {
  const { slug, hostId } = await params;
  const ctx = await requireTeam(slug);
  if (!can(ctx.role, "host.manage")) return <Forbidden what="Only admins and owners rename or remove hosts." />;
  const host = await getHost(ctx, hostId);
  const hidden = (
    <>
      <input type="hidden" name="team" value={ctx.team.slug} />
      <input type="hidden" name="hostId" value={host.id} />
    </>
  );
  return (
    <div className="max-w-2xl space-y-6">
      <Card title="Name">
        <ActionForm action={renameHostAction}>
          {hidden}
          <Field label="Name" name="name" defaultValue={host.name} required />
          <SubmitButton pendingLabel="Saving…">Rename</SubmitButton>
        </ActionForm>
      </Card>
      <Card
        title="Deployments"
        description="Git services on this host answer at <service>.<environment>.<project>.<base domain> through its proxy; point a wildcard DNS record at the host for a public domain."
      >
        <ActionForm action={hostDeploySettingsAction}>
          {hidden}
          <Field label="Base domain" name="baseDomain" defaultValue={host.baseDomain} hint="localhost works on the host itself and in browsers there." />
          <Field
            label="Deployments at once"
            name="buildConcurrency"
            inputMode="numeric"
            defaultValue={host.buildConcurrency}
            hint="Clones and builds beyond this wait in the host's queue."
          />
          <label className="flex items-start gap-2 text-sm text-slate-700">
            <input type="checkbox" name="allowPrivateNetworks" defaultChecked={host.allowPrivateNetworks} className="mt-1" />
            <span>
              Allow private networks: clones and image pulls may reach loopback, private (10/8, 172.16/12, 192.168/16), CGNAT and unique-local addresses from
              this host, e.g. a git server or registry on your LAN. Link-local and cloud metadata addresses stay refused.
            </span>
          </label>
          <SubmitButton pendingLabel="Saving…">Save</SubmitButton>
        </ActionForm>
      </Card>
      <Card
        tone="danger"
        title="Remove host"
        description="Revokes the host's Redis login at once (its agent is disconnected) and forgets its containers. The containers keep running on the host."
      >
        <ActionForm action={removeHostAction} confirm={`Remove ${host.name} from Berth?`}>
          {hidden}
          <SubmitButton variant="danger" pendingLabel="Removing…">
            Remove {host.name}
          </SubmitButton>
        </ActionForm>
      </Card>
    </div>
  );
}
