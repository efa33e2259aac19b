// Entry point of the control worker process (`npm start` runs it beside the web app).
import { startControlWorker } from "./control/start";

const control = startControlWorker();
console.log("berth control worker: consuming the control queue");

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    void control.close().finally(() => process.exit(0));
  });
}
