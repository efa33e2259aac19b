import { VariableEditor } from "@/components/config/variable-editor";
import { Card } from "@/components/ui/card";
import { requireTeam } from "@/lib/auth/session";
import { sharedVariableUsage } from "@/lib/data/resolved-config";
import { listVariables } from "@/lib/data/variables";
import { can } from "@/lib/permissions";
import { deleteTeamVariableAction, setTeamVariableAction } from "../../variables/actions";

export const metadata = { title: "Shared variables" };

export default async function TeamVariablesPage({ params }: { params: Promise<{ slug: string }> }) {
  const ctx = await requireTeam((await params).slug);
  const [vars, usage] = await Promise.all([listVariables(ctx, { scope: "TEAM" }), sharedVariableUsage(ctx, "team")]);
  return (
    <Card
      title="Shared variables"
      description="Available to every project of the team; projects, environments and services override them. Reference one as ${{ team.KEY }}."
    >
      <VariableEditor
        actions={{ set: setTeamVariableAction, remove: deleteTeamVariableAction }}
        team={ctx.team.slug}
        scope="TEAM"
        path={`/t/${ctx.team.slug}/settings/variables`}
        vars={vars}
        canWrite={can(ctx.role, "config.team")}
        readOnlyReason="Only admins and owners change team-wide variables."
        usage={usage}
      />
    </Card>
  );
}
