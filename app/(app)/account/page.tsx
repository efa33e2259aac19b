import { PageHeader } from "@/components/shell/page-header";
import { ActionForm } from "@/components/ui/action-form";
import { SubmitButton } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { Field } from "@/components/ui/field";
import { requireUser } from "@/lib/auth/session";
import { PASSWORD_MIN } from "@/lib/validation/fields";
import { changePasswordAction, updateProfileAction } from "./actions";

export const metadata = { title: "Your account" };

export default async function AccountPage() {
  const user = await requireUser();
  return (
    <main className="mx-auto max-w-2xl space-y-6 px-4 py-10">
      <PageHeader title="Your account" description={user.email} />
      <Card title="Profile" description="Your name as your teams see it.">
        <ActionForm action={updateProfileAction}>
          <Field label="Name" name="name" defaultValue={user.name} required />
          <SubmitButton pendingLabel="Saving…">Save</SubmitButton>
        </ActionForm>
      </Card>
      <Card title="Password" description="Changing it signs you out everywhere else.">
        <ActionForm action={changePasswordAction} resetOnSuccess>
          <Field label="Current password" name="currentPassword" type="password" autoComplete="current-password" />
          <Field label="New password" name="newPassword" type="password" autoComplete="new-password" hint={`At least ${PASSWORD_MIN} characters.`} />
          <SubmitButton pendingLabel="Changing…">Change password</SubmitButton>
        </ActionForm>
      </Card>
    </main>
  );
}
