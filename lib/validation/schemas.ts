// Input schemas, one per operation, shared by server actions, route handlers and tests.
import { z } from "zod";
import { email, id, password, personName, role, slug, teamName } from "./fields";

export const signUpInput = z.object({ name: personName, email, password });
export const signInInput = z.object({ email, password: z.string().min(1, "Enter your password.") });

export const updateProfileInput = z.object({ name: personName });
export const changePasswordInput = z
  .object({ currentPassword: z.string().min(1, "Enter your current password."), newPassword: password })
  .refine((v) => v.currentPassword !== v.newPassword, {
    path: ["newPassword"],
    message: "Choose a password different from the current one.",
  });

export const createTeamInput = z.object({ name: teamName, slug: slug.optional().or(z.literal("").transform(() => undefined)) });
export const renameTeamInput = z.object({ name: teamName });
export const deleteTeamInput = z.object({ confirm: z.string() });

export const INVITE_DAYS_DEFAULT = 7;
export const createInviteInput = z.object({
  email,
  role,
  expiresInDays: z.coerce
    .number({ error: "Enter a number of days." })
    .int("Enter a whole number of days.")
    .min(1, "An invite lasts at least 1 day.")
    .max(30, "An invite lasts at most 30 days.")
    .default(INVITE_DAYS_DEFAULT),
});

export const changeRoleInput = z.object({ membershipId: id, role });
export const membershipIdInput = z.object({ membershipId: id });
export const inviteIdInput = z.object({ inviteId: id });

export const auditFilterInput = z.object({
  actor: z.string().trim().max(254).optional(),
  action: z.string().trim().max(64).optional(),
  before: z.string().datetime().optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

export type SignUpInput = z.infer<typeof signUpInput>;
export type CreateInviteInput = z.infer<typeof createInviteInput>;
export type AuditFilter = z.infer<typeof auditFilterInput>;
