"use server";
import { revalidatePath } from "next/cache";
import { apiTeam } from "@/lib/auth/session";
import { createInvite, revokeInvite } from "@/lib/data/invites";
import { changeMemberRole, removeMember } from "@/lib/data/members";
import { runAction, type ActionState } from "@/lib/http/action-state";
import { formObject } from "@/lib/validation/parse";

function refresh(slug: string) {
  revalidatePath(`/t/${slug}/settings/members`);
}

export async function createInviteAction(_prev: ActionState | undefined, form: FormData): Promise<ActionState> {
  const values = formObject(form);
  return runAction(async () => {
    const invite = await createInvite(await apiTeam(values.team), values);
    refresh(values.team);
    return { message: `Invite created for ${invite.email}. The email is in the outbox; you can also share this link:`, data: { url: invite.url } };
  }, values);
}

export async function revokeInviteAction(_prev: ActionState | undefined, form: FormData): Promise<ActionState> {
  const values = formObject(form);
  return runAction(async () => {
    await revokeInvite(await apiTeam(values.team), values);
    refresh(values.team);
  }, values);
}

export async function changeRoleAction(_prev: ActionState | undefined, form: FormData): Promise<ActionState> {
  const values = formObject(form);
  return runAction(async () => {
    await changeMemberRole(await apiTeam(values.team), values);
    refresh(values.team);
    return { message: "Role updated." };
  }, values);
}

export async function removeMemberAction(_prev: ActionState | undefined, form: FormData): Promise<ActionState> {
  const values = formObject(form);
  return runAction(async () => {
    await removeMember(await apiTeam(values.team), values);
    refresh(values.team);
  }, values);
}
