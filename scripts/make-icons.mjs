// Writes the toolbar icons (solid PNGs drawn pixel by pixel) so the repo needs no image tooling.
// Run once with `node scripts/make-icons.mjs`; the PNGs are committed.
import { deflateSync } from 'node:zlib';
import { writeFileSync, mkdirSync } from 'node:fs';

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
const crc32 = (buf) => {
  let c = 0xffffffff;
  for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
};
const chunk = (type, data) => {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
};

/** A bolt on an amber tile: inside the tile, pixels under the bolt's band are dark. */
function pixel(x, y, n) {
  const u = x / n;
  const v = y / n;
  const r = 0.18;
  const inTile = (Math.min(u, 1 - u) > r || Math.min(v, 1 - v) > r) || Math.hypot(Math.min(u, 1 - u) - r, Math.min(v, 1 - v) - r) < r;
  if (!inTile) return [0, 0, 0, 0];
  const bolt = Math.abs(u + 0.35 * v - 0.7) < 0.09 && v > 0.15 && v < 0.85;
  return bolt ? [20, 24, 31, 255] : [240, 185, 11, 255];
}

function png(n) {
  const rows = [];
  for (let y = 0; y < n; y++) {
    const row = [0];
    for (let x = 0; x < n; x++) row.push(...pixel(x + 0.5, y + 0.5, n));
    rows.push(Buffer.from(row));
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(n, 0);
  ihdr.writeUInt32BE(n, 4);
  ihdr[8] = 8;
  ihdr[9] = 6;
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(Buffer.concat(rows))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

mkdirSync(new URL('../public/icons/', import.meta.url), { recursive: true });
for (const n of [16, 32, 48, 128]) writeFileSync(new URL(`../public/icons/icon-${n}.png`, import.meta.url), png(n));
