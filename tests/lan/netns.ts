/**
 * Entry point of the simulated-LAN test harness (network namespaces + fake services).
 * See tests/lan/README.md for the API and examples. Test-suite gating (describeLan, requireLanOrSkip) lives in
 * ./requireLan.js, which imports vitest; this module does not, so bench/ scripts can use SimLan too.
 */
export { cleanupStale, STATE_DIR } from './cleanup.js';
export { type DefaultHostInfo, defaultHosts, type HostSpec } from './hosts.js';
export {
  addAddress,
  addBridge,
  addDefaultRoute,
  addNamespace,
  addVethToBridge,
  deleteNamespace,
  flushAddresses,
  IpError,
  ip,
  listNamespaces,
  normalizeMac,
  routes,
  setLinkUp,
  setMac,
} from './ip.js';
export {
  findMosquitto,
  type ScannerMosquitto,
  type ScannerMosquittoOptions,
  startScannerMosquitto,
} from './mosquitto.js';
export { type NsRelay, relayIntoNamespace } from './relay.js';
export {
  banner,
  ftp,
  http,
  SERVICE_DEFAULTS,
  SERVICE_KINDS,
  type ServiceKind,
  type ServiceSpec,
  silent,
  ssh,
  telnet,
} from './services.js';
export { type ExecOptions, type ExecResult, type SimHost, SimLan, type SimLanOptions } from './sim-lan.js';
