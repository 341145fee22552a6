import { describe, expect, it } from 'vitest';
import { faultSpec, prng } from '../../scripts/soak/campaign.ts';

describe('soak fault sampling', () => {
  it('injects only 5xx answers Binance can give: "Service Unavailable." never executed, "Unknown error" either way', () => {
    const rand = prng(1);
    const seen = new Set<string>();
    for (let i = 0; i < 2_000; i++) {
      const f = faultSpec('http5xx', rand, 1_000);
      if (f.kind !== 'http5xx') throw new Error(`sampled ${f.kind} for http5xx`);
      seen.add(`${f.status} ${f.text} ${f.executed}`);
    }
    // Fact sheet §5: "Service Unavailable." is a certain failure, which the client retries at once.
    expect(seen.has('503 unavailable true')).toBe(false);
    expect([...seen].sort()).toEqual(['500 internal false', '503 unavailable false', '503 unknown false', '503 unknown true']);
  });
});
