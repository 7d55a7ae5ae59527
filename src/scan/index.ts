/** Public surface of the scanning module. */
export { type ArpEntry, fillMacsFromArp, parseProcNetArp, readArpTable } from './arpTable.js';
export { mergePortScans } from './mergePortScans.js';
export {
  buildPortScanArgs,
  buildPortScanRuns,
  buildSweepArgs,
  buildUdpScanArgs,
  NmapArgsError,
  type PortProfile,
  type PortScanArgsInput,
  type PortScanRun,
  type SweepArgsInput,
} from './nmapArgs.js';
export {
  checkNmap,
  isPrivileged,
  type NmapCheck,
  NmapSpawnError,
  type RunNmapOptions,
  type RunNmapResult,
  runNmap,
} from './nmapRunner.js';
export { type ParseNmapXmlResult, parseNmapXml } from './nmapXml.js';
export { type ReverseLookupOptions, type ReverseResolver, reverseLookupAll } from './reverseDns.js';
export {
  type DetectedNet,
  detectLocalNetworks,
  isAttached,
  type ResolvedTargets,
  resolveTargets,
  splitByAttachment,
  TargetError,
} from './targets.js';
export type * from './types.js';
