// The Prisma client. Only lib/data/ imports it: everything else goes through the data-access layer.
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "@/lib/generated/prisma/client";
import { env } from "@/lib/env";
import { pgConfigFromUrl } from "@/lib/pg-config";

const globalForDb = globalThis as unknown as { berthPrisma?: PrismaClient };

function create(): PrismaClient {
  return new PrismaClient({ adapter: new PrismaPg({ ...pgConfigFromUrl(env.databaseUrl), max: 10 }) });
}

export const db: PrismaClient = globalForDb.berthPrisma ?? create();
// Next.js dev reloads modules; keep one pool per process.
globalForDb.berthPrisma = db;

export type Tx = Parameters<Parameters<PrismaClient["$transaction"]>[0]>[0];
