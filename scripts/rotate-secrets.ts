// npm run secrets:rotate — re-seals every stored secret under the current BERTH_MASTER_KEY.
// Rotation: put a new key in BERTH_MASTER_KEY, the old one in BERTH_MASTER_KEYS_PREVIOUS, restart Berth,
// run this, then drop the old key.
import { db } from "@/lib/db";
import { resealAllSecrets } from "@/lib/data/rotate-secrets";

resealAllSecrets()
  .then(async (r) => {
    console.log(
      `re-sealed ${r.variables} variables, ${r.versions} history versions, ${r.services} git services' credentials and webhook secrets, ${r.deployments} releases' configurations and ${r.notificationChannels} notification channels' URLs and signing secrets under the current master key`,
    );
    await db.$disconnect();
  })
  .catch((e) => {
    console.error(`rotation failed, nothing after the failing row was changed: ${(e as Error).message}`);
    process.exit(1);
  });
