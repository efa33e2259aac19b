// Prisma's pg adapter is given separate fields, not a connection string (TOOLCHAIN.md).
export type PgConfig = { host: string; port: number; user: string; password: string; database: string };

export function pgConfigFromUrl(url: string): PgConfig {
  const u = new URL(url);
  if (u.protocol !== "postgresql:" && u.protocol !== "postgres:") {
    throw new Error(`DATABASE_URL must be a postgresql:// URL, got ${u.protocol}`);
  }
  return {
    host: decodeURIComponent(u.hostname) || "127.0.0.1",
    port: u.port ? Number(u.port) : 5432,
    user: decodeURIComponent(u.username),
    password: decodeURIComponent(u.password),
    database: decodeURIComponent(u.pathname.replace(/^\//, "")) || "postgres",
  };
}
