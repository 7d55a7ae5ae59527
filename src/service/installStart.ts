/**
 * Decide at start-up, once per database, whether this is a fresh install, and tell the user in the log:
 * a new, wiped or (after damage) replaced database takes an install baseline at its first sweep; a database
 * with an inventory from before the baseline existed never does; an interrupted first port scan resumes.
 */
import type { InstallInfo } from '../store/installRepo.js';
import type { Store } from '../store/store.js';
import type { Logger } from '../util/logger.js';

export function startInstall(store: Pick<Store, 'install'>, logger: Logger): InstallInfo {
  const { info, decided } = store.install.initialize();
  if (decided && info.state === 'pending')
    logger.info(
      'fresh database (new, wiped or replaced after damage): the devices of the first sweep become the install baseline (no new-device alerts), then every device gets a port scan',
    );
  else if (decided && info.state === 'existing')
    logger.info(
      'this database already holds an inventory from before install baselines: no baseline is taken, devices that join are new',
    );
  else if (info.initialPortScanPending)
    logger.info(
      'the first port scan after install did not finish before the last stop; it resumes after the first sweep',
    );
  return info;
}
