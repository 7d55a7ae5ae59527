/**
 * Decide at start-up, once per database, whether this is a fresh install, and tell the user in the log:
 * a new, wiped or (after damage) replaced database takes an install baseline at its first sweep; a database
 * with an inventory from before the baseline existed never does; an interrupted first port scan resumes.
 */
import type { Recovery } from '../store/db.js';
import type { InstallInfo } from '../store/installRepo.js';
import type { Store } from '../store/store.js';
import type { Logger } from '../util/logger.js';

export function startInstall(
  store: Pick<Store, 'install'>,
  logger: Logger,
  recovery?: Recovery | null,
): InstallInfo {
  const { info, decided } = store.install.initialize({ salvaged: recovery?.kind === 'salvaged' });
  if (decided && info.state === 'pending')
    logger.info(
      `fresh database (new, wiped or replaced after damage${recovery ? `; the damaged file is kept at ${recovery.movedTo}` : ''}): the devices of the first sweep become the install baseline (no new-device alerts), then every device gets a port scan`,
    );
  else if (decided && recovery?.kind === 'salvaged')
    logger.info(
      'database salvaged from a damaged file: its devices are an existing inventory, so no install baseline is taken and devices that join are new',
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
