/** `lan-sentinel agent [options]`: runs a satellite agent until SIGTERM/SIGINT (DESIGN §16). */
import { checkNmap, isPrivileged } from '../scan/nmapRunner.js';
import { sweepTimeoutMs } from '../service/scanSettings.js';
import { systemClock } from '../util/clock.js';
import { createLogger, type LogLevel } from '../util/logger.js';
import { VERSION } from '../version.js';
import { Agent } from './agent.js';
import { AGENT_HELP, AgentConfigError, loadAgentOptions } from './config.js';
import { createAgentScanner } from './scanner.js';

export const AGENT_USAGE = `Usage: lan-sentinel agent --agent-id ID --mqtt-url URL --subnets CIDR[,CIDR] [options]
Runs a satellite scanner for one VLAN and reports to the hub through the MQTT broker.
Options (flag / environment variable):
${AGENT_HELP}`;

export async function runAgentCommand(flags: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const o = loadAgentOptions(flags, env);
  const log = createLogger(o.log_level as LogLevel).child(`agent ${o.agent_id}`);
  const nmap = await checkNmap(o.nmap_path);
  if (!nmap.ok) throw new AgentConfigError(nmap.message);
  const privileged = isPrivileged();
  const agent = new Agent({
    options: o,
    clock: systemClock,
    logger: log,
    version: VERSION,
    scan: createAgentScanner({
      nmapPath: o.nmap_path,
      privileged,
      // an agent sits in the VLAN it watches: its subnets are attached (ARP gives MACs)
      attached: true,
      exclude: o.exclude,
      portProfile: o.port_profile,
      ports: o.ports,
      hostTimeoutSec: o.port_profile === 'top1000' ? 300 : 120,
      sweepTimeoutMs: sweepTimeoutMs(o.sweep_interval),
    }),
  });
  log.info(
    `LAN Sentinel agent ${VERSION}; ${nmap.version}; ${privileged ? 'privileged' : 'unprivileged'}; subnets ${o.subnets.join(', ')}; broker ${o.mqtt_url.replace(/\/\/[^@/]*@/, '//')}`,
  );
  agent.start();
  await new Promise<void>((resolve) => {
    const onSignal = (sig: NodeJS.Signals) => {
      log.info(`stopping (${sig})`);
      const force = setTimeout(() => process.exit(1), 9_000);
      force.unref();
      agent.stop().then(resolve, resolve);
    };
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
  });
  return 0;
}
