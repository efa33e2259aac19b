import { ApiTokenTable } from "@/components/settings/api-token-table";
import { CreatedToken } from "@/components/settings/api-token-created";
import { ExpirySelect, LimitSelect, ScopeChoices } from "@/components/settings/api-token-fields";
import { ActionForm } from "@/components/ui/action-form";
import { SubmitButton } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { CopyField } from "@/components/ui/copy-result";
import { Field } from "@/components/ui/field";
import { requireTeam } from "@/lib/auth/session";
import { listApiTokens, scopeMinimumRole, scopesForRole } from "@/lib/data/api-tokens";
import { listProjects } from "@/lib/data/projects";
import { env } from "@/lib/env";
import { can, ROLE_LABEL } from "@/lib/permissions";
import { SCOPE_HELP, SCOPES } from "@/lib/scopes";
import { createTokenAction, revokeTokenAction } from "./actions";

export const metadata = { title: "API tokens" };

export default async function ApiTokensPage({ params }: { params: Promise<{ slug: string }> }) {
  const ctx = await requireTeam((await params).slug);
  const [tokens, projects] = await Promise.all([listApiTokens(ctx), listProjects(ctx)]);
  const allowed = scopesForRole(ctx.role);
  const choices = SCOPES.map((s) => ({ scope: s, help: SCOPE_HELP[s], allowed: allowed.includes(s), needs: ROLE_LABEL[scopeMinimumRole(s)].toLowerCase() }));
  const everyone = can(ctx.role, "token.manage");
  const login = `npx berth login ${env.publicUrl}`;

  return (
    <div className="space-y-6">
      <Card
        title="Create an API token"
        description={`For scripts, CI and the Berth CLI. A token acts as you in ${ctx.team.name}, with the scopes you choose, and never above your current role (${ROLE_LABEL[ctx.role].toLowerCase()}).`}
      >
        <ActionForm action={createTokenAction} resetOnSuccess className="space-y-5">
          <input type="hidden" name="team" value={ctx.team.slug} />
          <CreatedToken berthUrl={env.publicUrl} />
          <div className="grid gap-4 sm:grid-cols-[1fr_11rem]">
            <Field
              label="Name"
              name="name"
              placeholder="github-actions"
              maxLength={60}
              autoComplete="off"
              hint="Its uses appear in the audit log under this name."
            />
            <ExpirySelect />
          </div>
          <ScopeChoices choices={choices} />
          <div className="sm:max-w-md">
            <LimitSelect projects={projects.map((p) => ({ id: p.id, name: p.name, environments: p.environments.map((e) => ({ id: e.id, name: e.name })) }))} />
            <p className="mt-1 text-xs text-slate-500">A limited token cannot reach other projects or environments, nor team-wide settings.</p>
          </div>
          <SubmitButton pendingLabel="Creating…">Create token</SubmitButton>
        </ActionForm>
      </Card>

      <Card title="Use Berth from a terminal" description="The CLI asks for a token, checks it, and keeps it in your user's config.">
        <CopyField value={login} testId="cli-login" label="CLI login command" />
      </Card>

      <section>
        <h2 className="text-lg font-semibold text-slate-900">{everyone ? "Tokens in this team" : "Your tokens"}</h2>
        <p className="mb-3 text-sm text-slate-500">
          {everyone
            ? "Every member's tokens: as an admin you can revoke any of them. A token also stops working when its maker leaves the team."
            : "A token stops working when it expires, when you revoke it, or when you leave the team."}
        </p>
        <ApiTokenTable tokens={tokens} team={ctx.team.slug} you={ctx.actor.id} showMaker={everyone} revoke={revokeTokenAction} />
      </section>
    </div>
  );
}
