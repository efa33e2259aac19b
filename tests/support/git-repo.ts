// Fixture git repositories for deploy tests: a bare repository (cloned over file://) and commits pushed to
// it, made with the real git through argument arrays.
import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { FIXTURE_IMAGE } from "./fixture-image";

const run = promisify(execFile);

/**
 * A Dockerfile serving `site/` with busybox httpd on port 8080. The shell stops httpd on SIGTERM (as PID 1
 * httpd would ignore it and `docker stop` would wait its full timeout).
 */
export const HTTPD_DOCKERFILE = `FROM ${FIXTURE_IMAGE}\nCOPY site/ /www/\nCMD ["sh", "-c", "httpd -f -p 8080 -h /www & trap 'kill $!; exit 0' TERM; wait"]\n`;

export async function makeBareRepo(prefix = "berth-repo-") {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const bare = path.join(dir, "app.git");
  await run("git", ["init", "--bare", "--initial-branch=main", bare]);
  return {
    dir,
    bare,
    url: `file://${bare}`,
    /** Commits these files on top of the branch and pushes; returns the new commit's sha. */
    async commit(files: Record<string, string>, message = "change", branch = "main"): Promise<string> {
      const work = fs.mkdtempSync(path.join(dir, "work-"));
      await run("git", ["clone", "--quiet", "--", bare, work]);
      await run("git", ["-C", work, "checkout", "--quiet", "-B", branch]);
      for (const [name, content] of Object.entries(files)) {
        fs.mkdirSync(path.dirname(path.join(work, name)), { recursive: true });
        fs.writeFileSync(path.join(work, name), content);
      }
      await run("git", ["-C", work, "add", "-A"]);
      await run("git", ["-C", work, "-c", "user.name=Test", "-c", "user.email=test@example.test", "commit", "--quiet", "-m", message]);
      await run("git", ["-C", work, "push", "--quiet", "origin", `HEAD:${branch}`]);
      const { stdout } = await run("git", ["-C", work, "rev-parse", "HEAD"]);
      fs.rmSync(work, { recursive: true, force: true });
      return stdout.trim();
    },
    remove: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}
