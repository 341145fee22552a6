// Installs what a fresh machine is missing (Debian, Node 20, root): the npm dependencies and Debian's Chromium
// (plus Xvfb and xdotool for the real-keystroke tests). Nothing is downloaded outside the npm and apt registries:
// playwright-core drives the system Chromium and never fetches a browser of its own.
import { existsSync, statSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');

function run(cmd, args, opts = {}) {
  console.log(`$ ${cmd} ${args.join(' ')}`);
  execFileSync(cmd, args, { stdio: 'inherit', cwd: root, ...opts });
}

function mtime(path) {
  return existsSync(path) ? statSync(path).mtimeMs : 0;
}

export function ensureNodeModules() {
  const marker = resolve(root, 'node_modules/.package-lock.json');
  const lock = resolve(root, 'package-lock.json');
  if (existsSync(marker) && mtime(marker) >= mtime(lock) && mtime(marker) >= mtime(resolve(root, 'package.json'))) return;
  run('npm', existsSync(lock) ? ['ci', '--no-audit', '--no-fund'] : ['install', '--no-audit', '--no-fund']);
}

const DEBIAN_PACKAGES = [
  ['/usr/bin/chromium', 'chromium'],
  ['/usr/bin/Xvfb', 'xvfb'],
  ['/usr/bin/xdotool', 'xdotool'],
];

export function ensureSystemPackages() {
  const missing = DEBIAN_PACKAGES.filter(([bin]) => !existsSync(bin)).map(([, pkg]) => pkg);
  if (missing.length === 0) return;
  if (process.getuid?.() !== 0) {
    throw new Error(`missing Debian packages ${missing.join(', ')}: run as root, or apt-get install -y ${missing.join(' ')}`);
  }
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  run('apt-get', ['update', '-qq'], { env });
  run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], { env });
}

export function ensureAll() {
  ensureNodeModules();
  ensureSystemPackages();
}

if (import.meta.url === `file://${process.argv[1]}`) ensureAll();
