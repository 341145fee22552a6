/**
 * Sizes of the JavaScript the built extension loads: the worker's module graph from the manifest's
 * `background.service_worker`, and the side panel's from the `<script type="module">` and `modulepreload` tags of
 * `side_panel.default_path`. Static imports are followed through the emitted files.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { z } from 'zod';

const ManifestSchema = z.object({
  background: z.object({ service_worker: z.string() }),
  side_panel: z.object({ default_path: z.string() }),
});

/** A loaded module graph: its files (relative to dist) and total raw and gzip bytes. */
export interface BundleSize {
  readonly files: readonly string[];
  readonly bytes: number;
  readonly gzipBytes: number;
}

const IMPORT = /(?:\bimport|\bexport)\s*(?:[^'"();]*?\bfrom\s*)?["']([^"']+\.js)["']|\bimport\(\s*["']([^"']+\.js)["']\s*\)/g;

/** Follows static and dynamic `.js` imports from `entries` (absolute paths inside `dist`). */
function graph(dist: string, entries: readonly string[]): BundleSize {
  const seen = new Set<string>();
  const queue = [...entries];
  let bytes = 0;
  let gzipBytes = 0;
  for (let file = queue.shift(); file !== undefined; file = queue.shift()) {
    if (seen.has(file)) continue;
    seen.add(file);
    const buf = readFileSync(file);
    bytes += buf.length;
    gzipBytes += gzipSync(buf).length;
    for (const m of buf.toString('utf8').matchAll(IMPORT)) {
      const spec = m[1] ?? m[2];
      if (spec === undefined) continue;
      queue.push(spec.startsWith('/') ? join(dist, spec) : resolve(dirname(file), spec));
    }
  }
  return { files: [...seen].map((f) => f.slice(dist.length + 1)), bytes, gzipBytes };
}

/** The worker's and the panel's JavaScript, as Chrome loads them from `dist`. */
export function bundleSizes(dist: string): { worker: BundleSize; panel: BundleSize } {
  const manifest = ManifestSchema.parse(JSON.parse(readFileSync(join(dist, 'manifest.json'), 'utf8')));
  const worker = graph(dist, [join(dist, manifest.background.service_worker)]);
  const html = readFileSync(join(dist, manifest.side_panel.default_path), 'utf8');
  const scripts = [...html.matchAll(/<script[^>]*\bsrc="([^"]+\.js)"/g), ...html.matchAll(/<link[^>]*rel="modulepreload"[^>]*href="([^"]+\.js)"/g)]
    .map((m) => m[1])
    .filter((s): s is string => s !== undefined)
    .map((s) => (s.startsWith('/') ? join(dist, s) : resolve(dirname(join(dist, manifest.side_panel.default_path)), s)));
  return { worker, panel: graph(dist, scripts) };
}
