import { SubmitButton } from "@/components/ui/button";
import { ActionForm } from "@/components/ui/action-form";
import { Field } from "@/components/ui/field";
import { requireUser } from "@/lib/auth/session";
import { listMyTeams } from "@/lib/data/teams";
import { createTeamAction } from "./actions";

export const metadata = { title: "Create a team" };

export default async function NewTeamPage() {
  const user = await requireUser();
  const first = (await listMyTeams(user)).length === 0;
  return (
    <main className="mx-auto max-w-lg px-4 py-12">
      <h1 className="text-2xl font-semibold tracking-tight">{first ? "Create your first team" : "Create a team"}</h1>
      <p className="mt-1 text-sm text-slate-500">A team shares hosts, environments and their configuration. You will be its owner and can invite others.</p>
      <div className="mt-6 rounded-lg border border-slate-200 bg-white p-5 shadow-sm">
        <ActionForm action={createTeamAction}>
          <Field label="Team name" name="name" required autoFocus placeholder="Acme Platform" />
          <Field
            label="URL name (optional)"
            name="slug"
            placeholder="acme-platform"
            hint="Appears in links: /t/acme-platform. Made from the name when empty."
          />
          <SubmitButton pendingLabel="Creating…">Create team</SubmitButton>
        </ActionForm>
      </div>
    </main>
  );
}
