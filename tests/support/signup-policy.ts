// Tests sign up many strangers: their database lets anyone sign up (the product's default after the first
// account is invitation only). tests/integration/signup-policy.test.ts checks each policy and restores this.
// A connection of its own, opened for the call: it runs as a setup file before each integration file, and
// importing lib/db there would bind the Prisma client to DATABASE_URL before a file (the fault tests) points
// it at a database of its own.
import pg from "pg";
import { pgConfigFromUrl } from "@/lib/pg-config";

export async function openSignUp(): Promise<void> {
  const client = new pg.Client(pgConfigFromUrl(process.env.DATABASE_URL ?? ""));
  await client.connect();
  try {
    await client.query(
      `INSERT INTO "InstanceSettings" ("id", "signupPolicy", "signupDomains", "updatedAt") VALUES (1, 'OPEN', '{}', now())
       ON CONFLICT ("id") DO UPDATE SET "signupPolicy" = 'OPEN', "signupDomains" = '{}', "updatedAt" = now()`,
    );
  } finally {
    await client.end();
  }
}
