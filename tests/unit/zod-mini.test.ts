import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The extension imports zod only as `zod/mini`: one `import … from 'zod'` pulls classic zod into the shared chunk,
 * and the bench measured it adding 34 KB to the worker and 19 KB to the panel's first paint.
 */
function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    return e.isDirectory() ? sources(path) : /\.ts$/.test(e.name) ? [path] : [];
  });
}

describe('zod imports', () => {
  it('every source file takes zod from zod/mini', () => {
    const src = resolve(import.meta.dirname, '../../src');
    const classic = sources(src).filter((f) => /from ['"]zod['"]/.test(readFileSync(f, 'utf8')));
    expect(classic).toEqual([]);
  });
});
