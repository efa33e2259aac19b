// Tests sign up many strangers: their database lets anyone sign up (the product's default after the first
// account is invitation only). tests/integration/signup-policy.test.ts checks each policy and restores this.
import { db } from "@/lib/db";

export async function openSignUp(): Promise<void> {
  await db.instanceSettings.upsert({
    where: { id: 1 },
    create: { id: 1, signupPolicy: "OPEN" },
    update: { signupPolicy: "OPEN", signupDomains: [] },
  });
}
