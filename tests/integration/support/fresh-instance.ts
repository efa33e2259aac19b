// Run by tests/integration/signup-policy.test.ts in a child process against a fresh, empty database
// (DATABASE_URL): first sign-ups at once, with no settings row (the default policy) and then with sign-up
// open. Prints what happened as one JSON line.
import { db } from "@/lib/db";
import { signUp } from "@/lib/data/users";

const AT_ONCE = 6;

async function race(round: string) {
  const results = await Promise.allSettled(
    Array.from({ length: AT_ONCE }, (_, i) => signUp({ name: `First ${i}`, email: `${round}-${i}@fresh.test`, password: "fresh-instance-password" })),
  );
  const users = await db.user.findMany({ select: { email: true, instanceOwner: true } });
  const audits = await db.auditEvent.count({ where: { action: "user.signup" } });
  return {
    created: results.filter((r) => r.status === "fulfilled").length,
    refusals: results.flatMap((r) => (r.status === "rejected" ? [String((r.reason as Error).message)] : [])),
    users: users.length,
    owners: users.filter((u) => u.instanceOwner).length,
    audits,
  };
}

async function main() {
  const byDefault = await race("default");
  await db.auditEvent.deleteMany();
  await db.user.deleteMany();
  await db.instanceSettings.create({ data: { id: 1, signupPolicy: "OPEN" } });
  const open = await race("open");
  process.stdout.write(`${JSON.stringify({ byDefault, open })}\n`);
  await db.$disconnect();
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
