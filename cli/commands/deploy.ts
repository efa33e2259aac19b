// berth deploy <project>/<env>/<service> and berth rollback <project>/<env>/<service> <n>.
import { connect } from "../api-client";
import { CliError, EXIT } from "../errors";
import { type Created, reportDeployment } from "../follow-deployment";
import { parseReleaseNumber, parseServicePath, showPath } from "../paths";
import { Progress } from "../progress";
import { resolveService } from "../resolve";

type Options = { wait?: boolean; json?: boolean };

export async function deploy(pathText: string, o: Options): Promise<number> {
  const path = parseServicePath(pathText);
  const api = connect();
  const progress = new Progress();
  const service = await progress.during(`Finding ${showPath(path)}`, resolveService(api, path));
  const created = await progress.during(`Deploying ${showPath(path)}`, async () =>
    api.json<Created>("POST", await api.teamPath("services", service.id, "deployments"), {}),
  );
  return reportDeployment(api, created, `Deploying ${showPath(path)}`, o);
}

export async function rollback(pathText: string, numberText: string, o: Options): Promise<number> {
  const path = parseServicePath(pathText);
  const n = parseReleaseNumber(numberText);
  const api = connect();
  const progress = new Progress();
  const service = await progress.during(`Finding ${showPath(path)}`, resolveService(api, path));
  const { deployments } = await progress.during(`Finding #${n}`, async () =>
    api.json<{ deployments: { id: string; number: number }[] }>("GET", await api.teamPath("services", service.id, "deployments")),
  );
  const target = deployments.find((d) => d.number === n);
  if (!target) {
    const range = deployments.length ? ` (its last ${deployments.length} are #${deployments.at(-1)!.number} to #${deployments[0]!.number})` : "";
    throw new CliError(`${showPath(path)} has no deployment #${n}${range}.`, EXIT.notFound);
  }
  const created = await progress.during(`Rolling back to #${n}`, async () =>
    api.json<Created>("POST", await api.teamPath("deployments", target.id, "rollback"), {}),
  );
  return reportDeployment(api, created, `Rolling ${showPath(path)} back to #${n}`, o);
}
