// How the CLI turns Berth's answers into messages and exit codes (documented in `berth --help`).
import { describe, expect, it } from "vitest";
import { httpError, networkError } from "@/cli/api-client";
import { EXIT, EXIT_HELP, exitCodeForStatus } from "@/cli/errors";

const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
const creds = { url: "https://berth.example.com", source: "file" as const };

describe("exit codes", () => {
  it("maps HTTP statuses to the documented codes", () => {
    expect([400, 401, 403, 404, 409, 410, 429, 500, 502, 415].map(exitCodeForStatus)).toEqual([
      EXIT.usage,
      EXIT.auth,
      EXIT.auth,
      EXIT.notFound,
      EXIT.failed,
      EXIT.failed,
      EXIT.unavailable,
      EXIT.unavailable,
      EXIT.unavailable,
      EXIT.unavailable,
    ]);
  });

  it("documents every code it uses", () => {
    for (const code of Object.values(EXIT)) expect(EXIT_HELP).toMatch(new RegExp(`^  ${code}\\s`, "m"));
  });
});

describe("error messages", () => {
  it("passes on the server's message, which names a missing scope, with the 403's code", async () => {
    const e = await httpError(json(403, { error: { code: "forbidden", message: 'This API token lacks the "read:secrets" scope.' } }), creds, "GET /x");
    expect(e.message).toBe('This API token lacks the "read:secrets" scope.');
    expect(e.exitCode).toBe(EXIT.auth);
  });

  it("suggests logging in again on a 401, or checking BERTH_TOKEN when the token came from there", async () => {
    const body = { error: { code: "unauthorized", message: "This API token was revoked or does not exist." } };
    const saved = await httpError(json(401, body), creds, "GET /x");
    expect(saved.message).toBe("This API token was revoked or does not exist.\nLog in again with a valid token: berth login https://berth.example.com");
    expect(saved.exitCode).toBe(EXIT.auth);
    expect((await httpError(json(401, body), { ...creds, source: "env" }, "GET /x")).message).toMatch(/Check BERTH_TOKEN/);
  });

  it("lists field errors under the message", async () => {
    const e = await httpError(
      json(400, { error: { code: "invalid", message: "Check the fields.", fields: { dotenv: ["line 2: expected KEY=value"], x: [] } } }),
      creds,
      "PUT /x",
    );
    expect(e.message).toBe("Check the fields.\n  dotenv: line 2: expected KEY=value");
    expect(e.exitCode).toBe(EXIT.usage);
  });

  it("says which server answered what when the answer is not Berth's JSON", async () => {
    const e = await httpError(new Response("<html>Bad gateway</html>", { status: 502, statusText: "Bad Gateway" }), creds, "GET /api/v1/me");
    expect(e.message).toBe("Berth at https://berth.example.com answered GET /api/v1/me with 502 Bad Gateway.");
    expect(e.exitCode).toBe(EXIT.unavailable);
  });

  it("names the address it could not reach", () => {
    const refused = Object.assign(new TypeError("fetch failed"), { cause: { code: "ECONNREFUSED" } });
    const e = networkError("http://localhost:1", refused);
    expect(e.message).toBe("Cannot reach Berth at http://localhost:1: ECONNREFUSED.");
    expect(e.exitCode).toBe(EXIT.unavailable);
    const timeout = Object.assign(new Error("timed out"), { name: "TimeoutError" });
    expect(networkError("http://localhost:1", timeout).message).toBe("Berth at http://localhost:1 did not answer within 30 s.");
  });
});
