import type { Role } from "@/lib/generated/prisma/enums";
import { ROLE_LABEL } from "@/lib/permissions";
import { Badge } from "./ui/card";

const COLOR = { OWNER: "purple", ADMIN: "blue", DEVELOPER: "green", VIEWER: "gray" } as const;

export function RoleBadge({ role }: { role: Role }) {
  return <Badge color={COLOR[role]}>{ROLE_LABEL[role]}</Badge>;
}
