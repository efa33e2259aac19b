import path from "node:path";
import { defineConfig } from "prisma/config";
import { PrismaPg } from "@prisma/adapter-pg";
import { pgConfigFromUrl } from "./lib/pg-config";

// Offline recipe (see TOOLCHAIN.md): the JS engine with the pg adapter, no engine download.
export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  schema: path.join("prisma", "schema.prisma"),
  migrations: { path: path.join("prisma", "migrations") },
  adapter: async () => new PrismaPg(pgConfigFromUrl(requireDatabaseUrl())),
});

function requireDatabaseUrl(): string {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error("DATABASE_URL is not set: run Prisma through `npm start`/`npm test` or set it yourself.");
  return url;
}
