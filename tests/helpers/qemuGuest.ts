/**
 * A throw-away Linux guest for tests that need a kernel feature this machine's kernel lacks (AppArmor): Debian's
 * own kernel (package linux-image-amd64) under `qemu-system-x86_64 -accel tcg`, a busybox initramfs built here,
 * and the host's filesystem shared read-only over virtio-9p, so the guest runs the host's node, nmap, ip and
 * apparmor_parser. The guest has NO network device (`-nic none`); whatever network it builds stays in its own
 * kernel. Output comes back over the serial console (a file); the guest powers itself off, and `kill()` ends qemu
 * in any case.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface GuestKernel {
  version: string;
  vmlinuz: string;
  modulesDir: string;
}

/** The newest /boot/vmlinuz-* that has its modules installed, or null. */
export function findDebianKernel(): GuestKernel | null {
  if (!existsSync('/boot')) return null;
  const versions = readdirSync('/boot')
    .filter((f) => /^vmlinuz-\d/.test(f))
    .map((f) => f.slice('vmlinuz-'.length))
    .filter((v) => existsSync(join('/lib/modules', v, 'modules.dep')))
    .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  const version = versions.at(-1);
  if (!version) return null;
  return { version, vmlinuz: join('/boot', `vmlinuz-${version}`), modulesDir: join('/lib/modules', version) };
}

/** Module files (relative to modulesDir) for `names`, dependencies first, from the kernel's modules.dep. */
export function moduleLoadOrder(kernel: GuestKernel, names: string[]): string[] {
  const deps = new Map<string, string[]>();
  for (const line of readFileSync(join(kernel.modulesDir, 'modules.dep'), 'utf8').split('\n')) {
    const [mod, rest] = line.split(':');
    if (mod && rest !== undefined) deps.set(mod, rest.trim() ? rest.trim().split(/\s+/) : []);
  }
  const byName = new Map<string, string>();
  for (const mod of deps.keys()) byName.set(mod.replace(/^.*\//, '').replace(/\.ko(\.\w+)?$/, ''), mod);
  const order: string[] = [];
  const visit = (mod: string) => {
    if (order.includes(mod)) return;
    for (const d of deps.get(mod) ?? []) visit(d);
    order.push(mod);
  };
  for (const n of names) {
    const mod = byName.get(n);
    if (!mod) throw new Error(`kernel ${kernel.version} has no module ${n}`);
    visit(mod);
  }
  for (const m of order)
    if (!/\.ko$/.test(m)) throw new Error(`module ${m} is compressed; busybox insmod needs plain .ko`);
  return order;
}

export interface CpioEntry {
  path: string;
  /** file content; a directory when omitted and `symlink` is unset */
  data?: Buffer;
  symlink?: string;
  mode?: number;
}

/** An initramfs image: a "newc" cpio archive (what the kernel unpacks into its rootfs). */
export function newcArchive(entries: CpioEntry[]): Buffer {
  const parts: Buffer[] = [];
  let ino = 1;
  const pad4 = (n: number) => Buffer.alloc((4 - (n % 4)) % 4);
  const header = (name: string, mode: number, size: number) => {
    const f = (n: number) => n.toString(16).padStart(8, '0');
    const nameBuf = Buffer.from(`${name}\0`);
    const h = Buffer.from(
      `070701${f(ino++)}${f(mode)}${f(0)}${f(0)}${f(1)}${f(0)}${f(size)}${f(0)}${f(0)}${f(0)}${f(0)}${f(nameBuf.length)}${f(0)}`,
    );
    parts.push(h, nameBuf, pad4(h.length + nameBuf.length));
  };
  for (const e of entries) {
    const name = e.path.replace(/^\/+/, '');
    if (e.symlink !== undefined) {
      const target = Buffer.from(e.symlink);
      header(name, 0o120777, target.length);
      parts.push(target, pad4(target.length));
    } else if (e.data) {
      header(name, 0o100000 | (e.mode ?? 0o644), e.data.length);
      parts.push(e.data, pad4(e.data.length));
    } else {
      header(name, 0o040000 | (e.mode ?? 0o755), 0);
    }
  }
  header('TRAILER!!!', 0, 0);
  return Buffer.concat(parts);
}

export interface BootOptions {
  kernel: GuestKernel;
  initramfs: string;
  /** serial console output goes here */
  consoleLog: string;
  memoryMb?: number;
  cpus?: number;
  /** extra kernel command line */
  append?: string;
}

export interface RunningGuest {
  child: ChildProcess;
  /** resolves with qemu's exit code once the guest powered off (or was killed) */
  exited: Promise<number | null>;
  console(): string;
  kill(): void;
}

/** Boots the guest: TCG (KVM guests hang on this machine), no NIC, the host's / read-only as 9p tag `hostroot`. */
export function bootGuest(o: BootOptions): RunningGuest {
  writeFileSync(o.consoleLog, '');
  const args = [
    '-accel',
    'tcg',
    '-m',
    String(o.memoryMb ?? 1536),
    '-smp',
    String(o.cpus ?? 2),
    '-nodefaults',
    '-no-user-config',
    '-display',
    'none',
    '-monitor',
    'none',
    '-nic',
    'none',
    '-no-reboot',
    '-serial',
    `file:${o.consoleLog}`,
    '-kernel',
    o.kernel.vmlinuz,
    '-initrd',
    o.initramfs,
    '-virtfs',
    'local,path=/,mount_tag=hostroot,security_model=none,readonly=on,id=hostroot',
    '-append',
    `console=ttyS0 panic=-1 quiet loglevel=4 apparmor=1 security=apparmor ${o.append ?? ''}`.trim(),
  ];
  const child = spawn('qemu-system-x86_64', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const exited = new Promise<number | null>((resolve) => {
    child.on('exit', (code) => resolve(code));
    child.on('error', (err) => {
      stderr += String(err);
      resolve(null);
    });
  });
  return {
    child,
    exited,
    console: () => {
      const out = existsSync(o.consoleLog) ? readFileSync(o.consoleLog, 'utf8') : '';
      return stderr ? `${out}\n[qemu stderr] ${stderr}` : out;
    },
    kill: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}

/** Files of the host to put into the initramfs as they are (busybox, kernel modules). */
export function hostFile(path: string, into: string, mode?: number): CpioEntry {
  const st = statSync(path);
  return { path: into, data: readFileSync(path), mode: mode ?? st.mode & 0o777 };
}
