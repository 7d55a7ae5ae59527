/** The visual editor: an ha-form schema returned by `getConfigForm()` (ha-reference §3.2). */
import { type CardConfig, parseConfig } from './config.js';

const FILTER_OPTIONS = [
  { value: 'all', label: 'All' },
  { value: 'online', label: 'Online' },
  { value: 'offline', label: 'Offline' },
  { value: 'new', label: 'New' },
  { value: 'risky', label: 'Risky' },
];

const SORT_OPTIONS = [
  { value: 'last_seen', label: 'Last seen' },
  { value: 'name', label: 'Name' },
  { value: 'ip', label: 'IP address' },
  { value: 'risk', label: 'Risk' },
];

const hubEntity = (name: string) => ({ name, selector: { entity: { domain: 'sensor' } } });

export const CONFIG_FORM_SCHEMA = [
  { name: 'title', selector: { text: {} } },
  {
    type: 'grid',
    name: '',
    column_min_width: '140px',
    schema: [
      { name: 'default_filter', selector: { select: { mode: 'dropdown', options: FILTER_OPTIONS } } },
      { name: 'sort', selector: { select: { mode: 'dropdown', options: SORT_OPTIONS } } },
      { name: 'max_rows', selector: { number: { min: 1, max: 200, step: 1, mode: 'box' } } },
    ],
  },
  {
    type: 'grid',
    name: '',
    column_min_width: '140px',
    schema: [
      { name: 'show_offline', selector: { boolean: {} } },
      { name: 'show_summary', selector: { boolean: {} } },
      { name: 'compact', selector: { boolean: {} } },
    ],
  },
  {
    type: 'expandable',
    name: '',
    title: 'Advanced',
    flatten: true,
    schema: [
      { name: 'addon_slug', selector: { text: {} } },
      { name: 'ingress_path', selector: { text: {} } },
      hubEntity('devices_online_entity'),
      hubEntity('devices_known_entity'),
      hubEntity('devices_new_entity'),
      hubEntity('threats_active_entity'),
    ],
  },
] as const;

const LABELS: Record<string, string> = {
  title: 'Title',
  default_filter: 'Default filter',
  sort: 'Sort by',
  max_rows: 'Rows before "show more"',
  show_offline: 'Show offline devices under "All"',
  show_summary: 'Show summary',
  compact: 'Compact rows',
  addon_slug: 'Add-on slug (for the "Open" button)',
  ingress_path: 'Panel path (overrides the slug)',
  devices_online_entity: 'Devices online sensor',
  devices_known_entity: 'Devices known sensor',
  devices_new_entity: 'New devices sensor',
  threats_active_entity: 'Active threats sensor',
};

const HELPERS: Record<string, string> = {
  addon_slug: 'Shown on the add-on page URL, e.g. local_lan_sentinel',
  ingress_path: 'e.g. /app/local_lan_sentinel (default: the link of the LAN Sentinel hub device)',
};

export function configForm() {
  return {
    schema: CONFIG_FORM_SCHEMA,
    computeLabel: (s: { name: string }) => LABELS[s.name] ?? s.name,
    computeHelper: (s: { name: string }) => HELPERS[s.name],
    assertConfig: (config: Partial<CardConfig>) => {
      parseConfig(config);
    },
  };
}
