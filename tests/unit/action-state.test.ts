// Server actions answer every input with form state: never a throw, never a secret echoed back to the page.
import { describe, expect, it } from "vitest";
import { ValidationError } from "@/lib/errors";
import { runAction } from "@/lib/http/action-state";
import { formObject } from "@/lib/validation/parse";

const form = (entries: Record<string, string>) => {
  const f = new FormData();
  for (const [k, v] of Object.entries(entries)) f.append(k, v);
  return f;
};

describe("runAction", () => {
  it("keeps what was typed on failure, except passwords, tokens, .env text and secret values", async () => {
    const values = formObject(
      form({ name: "api", gitUrl: "https://git.example/app.git", token: "glpat-secret", password: "hunter22222", newPassword: "x", dotenv: "A=1", key: "K" }),
    );
    const state = await runAction(async () => {
      throw new ValidationError("Nope.");
    }, values);
    expect(state.ok).toBe(false);
    expect(state.values).toEqual({ name: "api", gitUrl: "https://git.example/app.git", key: "K" });

    const secretVar = await runAction(
      async () => {
        throw new ValidationError("Nope.");
      },
      formObject(form({ key: "DB_PASSWORD", value: "s3cret", secret: "on" })),
    );
    expect(secretVar.values).toEqual({ key: "DB_PASSWORD", secret: "on" });
    const plainVar = await runAction(
      async () => {
        throw new ValidationError("Nope.");
      },
      formObject(form({ key: "LOG_LEVEL", value: "debug" })),
    );
    expect(plainVar.values).toEqual({ key: "LOG_LEVEL", value: "debug" });
  });

  it("refuses input that is not form data, or holds a NUL, without running the action", async () => {
    let ran = 0;
    const act = async () => {
      ran++;
    };
    for (const input of ["a string", null, 7, { team: "x" }, ["x"]]) {
      const state = await runAction(act, formObject(input));
      expect(state).toMatchObject({ ok: false, error: "This form was not sent as form data." });
    }
    expect((await runAction(act, formObject(form({ team: "acme\0" })))).error).toMatch(/NUL/);
    expect(ran).toBe(0);
    expect((await runAction(act, formObject(form({ team: "acme" })))).ok).toBe(true);
    expect(ran).toBe(1);
  });

  it("turns an unexpected error into a message that changes nothing", async () => {
    const state = await runAction(
      async () => {
        throw new TypeError("boom");
      },
      formObject(form({ name: "x" })),
    );
    expect(state).toMatchObject({ ok: false, error: expect.stringMatching(/nothing was changed/) });
  });
});
