/** Whether a Prisma error is a unique-constraint violation (a name, slug or email already taken). */
export function isUniqueViolation(e: unknown): boolean {
  return typeof e === "object" && e !== null && (e as { code?: string }).code === "P2002";
}
