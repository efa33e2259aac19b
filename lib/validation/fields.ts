// Field rules shared by every schema: one place for what a valid email, password, name or slug is.
import { z } from "zod";
import { ROLES } from "@/lib/permissions";

export const email = z
  .string({ error: "Enter an email address." })
  .trim()
  .toLowerCase()
  .max(254, "That email address is too long.")
  .pipe(z.email({ error: "Enter a valid email address, like ada@example.com." }));

export const PASSWORD_MIN = 10;
export const password = z
  .string({ error: "Enter a password." })
  .min(PASSWORD_MIN, `Use at least ${PASSWORD_MIN} characters.`)
  .max(200, "Use at most 200 characters.");

export const personName = z.string({ error: "Enter your name." }).trim().min(1, "Enter your name.").max(80, "Use at most 80 characters.");

export const teamName = z.string({ error: "Enter a team name." }).trim().min(2, "Use at least 2 characters.").max(60, "Use at most 60 characters.");

export const SLUG_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$/;
export const slug = z.string().trim().toLowerCase().regex(SLUG_PATTERN, "Use 1–40 lowercase letters, digits and dashes, not starting or ending with a dash.");

export const role = z.enum(ROLES, { error: "Choose a role." });

export const id = z.string().min(1).max(64);

/** Turns a display name into a URL slug candidate. */
export function slugify(name: string): string {
  return name
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "") // accents go, their letters stay
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 40)
    .replace(/-+$/g, "");
}

/** Yes or no: a JSON boolean, a form's checkbox ("on") or hidden "true"/"false", or a query's 1/0. */
export const flag = z
  .union([z.boolean(), z.enum(["on", "true", "1", "off", "false", "0", ""])], { error: "Use true or false." })
  .transform((v) => v === true || v === "on" || v === "true" || v === "1");

/** Several values: a JSON array, or one string of comma-separated values (a form's ticked boxes, joined). */
export const commaList = <T extends z.ZodType>(items: T) =>
  z.preprocess(
    (v) =>
      typeof v === "string"
        ? v
            .split(",")
            .map((s) => s.trim())
            .filter(Boolean)
        : v,
    items,
  );
