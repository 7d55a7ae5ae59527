/** `lan-sentinel help [command]`. */
import { envName, flagName, OPTION_META, OPTION_NAMES } from '../config/options.js';
import { VERSION } from '../version.js';
import { EXIT_HELP } from './errors.js';
import { wrapText } from './format.js';

/** Help fits a 100-column terminal: a longer line wraps, its continuation indented (`cont` columns). */
const WIDTH = 100;
function fitLine(line: string, cont?: number): string {
  if (line.length <= WIDTH) return line;
  const lead = /^ */.exec(line)![0].length;
  const cut = line.lastIndexOf(' ', WIDTH);
  if (cut <= lead) return line;
  const indent = cont ?? (lead >= 6 ? lead : lead + 6);
  return [
    line.slice(0, cut).trimEnd(),
    ...wrapText(line.slice(cut + 1), WIDTH - indent)
      .split('\n')
      .map((l) => ' '.repeat(indent) + l),
  ].join('\n');
}
const fitAll = (text: string) =>
  text
    .split('\n')
    .map((l) => fitLine(l))
    .join('\n');

const COMMAND_HELP: Record<string, string> = {
  run: `run                       run the service (the default command): sweeps, port scans, MQTT, web UI`,
  scan: `scan [--ports] [--kind sweep|ports] [--timeout S] [--no-progress] [--json]
      start a sweep (and with --ports a port/service scan of what it found) on the instance and wait for
      it: a progress bar on a terminal, plain lines otherwise (on stderr). Locally the CLI runs nmap
      itself (--subnets, --port-profile … apply); with --api-url the remote instance scans. --once is
      accepted and changes nothing.`,
  scans: `scans [list] [--kind sweep|ports] [--status running|finished|failed] [--limit N | --all]
scans show <id>               one scan with the hosts and open ports it saw`,
  compare: `compare <older> <newer>   new/removed hosts and ports, changed services between two scans`,
  devices: `devices [list] [--filter online|offline|new|risky|known|ignored] [--search TEXT] [--sort ip|name|…]
devices show <device>         details, ports, findings and recent changes
devices rename <device> <name>
devices trust|untrust|watch|unwatch|ignore|unignore|forget <device>
devices merge <device> <other device>
devices split <device> <further mac>
devices expected <device> [show]            expected (allowed) open ports beside the open ones
devices expected <device> set PORT…         e.g. set 22 80 443/tcp 53/udp (replaces the list)
devices expected <device> accept-open       expect exactly what is open now
devices expected <device> clear             no list: no port counts as unexpected
      an open port outside the expected ones raises an unexpected_port finding and alert
      <device> is a MAC address, an IP address or an exact name`,
  wake: `wake <device> [--json]
      Wake-on-LAN: the instance sends a magic packet (UDP port wol_port) to the broadcast
      address of the device's subnet and to 255.255.255.255; exit 69 when it has no IPv4
      address or subnet to aim at. <device> is a MAC address, an IP address or an exact name`,
  findings: `findings [list] [--min-severity info|low|medium|high|critical] [--mac MAC] [--status active|resolved|all]
              [--limit N | --all]   the table shows the first 40 (--json: all, or the first N)
findings accept <id> [--reason TEXT]   accept the risk (needs an instance that offers it)`,
  alerts: `alerts [list] [--status open|acked|all] [--limit N | --all]
alerts ack <id>`,
  rules: `rules [list] | rules enable <id> | rules disable <id>      alert rules (edit them in the web UI)`,
  webhooks: `webhooks [list] | webhooks test <id>      send a test event and show the delivery`,
  keys: `keys create <name> [--scope read|admin] | keys list [--all] | keys revoke <id>`,
  schedules: `schedules [list]
schedules add <name> --cron "0 3 * * *" [--kind ports|sweep] [--profile top100|top1000|custom]
              [--targets CIDR,IP,…] [--enabled true|false]
schedules update <id> [--name N] [--cron C] [--kind K] [--profile P] [--targets T] [--enabled B]
schedules remove <id>
      named scans on a cron schedule; "default" is the port_scan_schedule option (change the option)`,
  export: `export [--format json|csv] [--output FILE]      the inventory (stdout without --output)`,
  login: `login                     print a new one-time login link for the web UI of the service running on
      this data dir (standalone)`,
  cve: `cve import <file>         merge an NVD CVE 2.0 / CISA KEV JSON file (plain or .gz); applied at once`,
  help: `help [command]            this text, or one command's`,
};

export const HELP = `LAN Sentinel ${VERSION}: a LAN watcher for Home Assistant

Usage: lan-sentinel [command] [flags] [options]

Commands:
${Object.values(COMMAND_HELP)
  .map((t) =>
    t
      .split('\n')
      .map((l) => fitLine(`  ${l}`))
      .join('\n'),
  )
  .join('\n')}

Where commands run:
  Without a remote, commands read and change the local data dir (--data-dir, default ./data; the
  add-on's /data). A remote instance is taken from, in this order: --api-url URL [--api-key KEY],
  LAN_SENTINEL_API_URL [+ LAN_SENTINEL_API_KEY], or the config file
  $XDG_CONFIG_HOME/lan-sentinel/cli.json (default ~/.config/lan-sentinel/cli.json; --config FILE),
  {"api_url": "http://host:8099", "api_key": "lsk_…"}, which must not be readable by group or others
  (chmod 600). --local ignores the environment and the file. Output is the same either way.

Common flags:
  --json      machine-readable output (the API's JSON) for every command
  --debug     show the stack trace of an error
  --no-color  plain text on a terminal too (as do NO_COLOR=1; FORCE_COLOR=1 colours into a pipe)
  --help      help for the command

${EXIT_HELP}

Options of the service (flag / environment variable), precedence flags > environment > options file:
${OPTION_NAMES.map((n) => fitLine(`  ${flagName(n).padEnd(22)} ${envName(n).padEnd(34)} ${OPTION_META[n].help}`, 60)).join('\n')}
  --options-file FILE    JSON options file (add-on: /data/options.json)
`;

export function commandHelp(command: string): string {
  const h = COMMAND_HELP[command];
  if (!h) return HELP;
  return `${fitAll(
    `lan-sentinel ${h
      .split('\n')
      .map((l, i) => (i === 0 ? l : l.startsWith(' ') ? l : `lan-sentinel ${l}`))
      .join('\n')}`,
  )}\n\nCommon flags: --json, --debug, --api-url URL, --api-key KEY, --local (see: lan-sentinel help)\n\n${EXIT_HELP}\n`;
}
