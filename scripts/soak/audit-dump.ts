/**
 * `npx tsx scripts/soak/audit-dump.ts <dump.json>`: audits a soak's dump (`npm run soak -- --dump file.json`) again
 * with the current ./invariants.ts, without re-running the 15-minute campaign. The dump holds the stamped ledger,
 * the fault log, the trader's answers, the final journals and the order journal's reads (as deltas); it does not hold
 * the trader's-journal reads taken before each worker stop, so that part of the journal check only runs in a campaign.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { JournalEntrySchema as OrderJournalEntrySchema, type JournalEntry as OrderJournalEntry } from '../../src/core/journal.ts';
import { JournalEntrySchema as ActivityEntrySchema } from '../../src/shared/messages.ts';
import { checkExactlyOnce, checkJournal, checkOrphans, checkOutcomes, checkReplays, checkStopGaps, exchangeHolds, type OrderJournalSnapshot, type StampedEntry } from './invariants.ts';

const DumpSchema = z.object({
  ledger: z.array(z.object({ entry: z.object({ seq: z.number(), time: z.number(), kind: z.string(), accountId: z.string(), symbol: z.string().nullable(), data: z.record(z.string(), z.unknown()) }), wallMs: z.number() })),
  faults: z.array(z.object({ kind: z.string(), wallMs: z.number(), detail: z.string() })),
  /** Request faults as served; older dumps lack them, and their stop gaps are then audited without exchange holds. */
  served: z.array(z.object({ kind: z.string(), wallMs: z.number(), method: z.string(), path: z.string(), retryAfterSec: z.number().nullable() })).default([]),
  answers: z.array(
    z.object({
      request: z.enum(['order.submit', 'position.close', 'flatten']),
      outcome: z.enum(['ok', 'error', 'lost', 'timeout']),
      clientOrderId: z.string().optional(),
      code: z.string().optional(),
      message: z.string().optional(),
      atMs: z.number(),
    }),
  ),
  orderJournal: z.array(OrderJournalEntrySchema),
  orderJournalReads: z.array(z.object({ atMs: z.number(), changed: z.array(OrderJournalEntrySchema), removed: z.array(z.string()) })).default([]),
  orderJournalReadMs: z.number().optional(),
  activity: z.array(ActivityEntrySchema),
});

const path = process.argv[2];
if (path === undefined) throw new Error('usage: audit-dump.ts <dump.json>');
const dump = DumpSchema.parse(JSON.parse(readFileSync(path, 'utf8')));
// The ledger was written by the exchange and read back by the campaign: its kinds are the exchange's own.
const ledger = dump.ledger as StampedEntry[];
const endMs = ledger[ledger.length - 1]?.wallMs ?? 0;
// Older dumps logged the trader's answers in the fault log without their error code: take it from the answers.
const codes = new Map(dump.answers.map((a) => [`trader ${a.request}@${a.atMs}`, `${a.outcome}${a.code === undefined ? '' : ` ${a.code}`}`]));
const faults = dump.faults.map((f) => (f.kind.startsWith('trader ') ? { ...f, detail: codes.get(`${f.kind}@${f.wallMs}`) ?? f.detail } : f));
const reads: OrderJournalSnapshot[] = [];
let current = new Map<string, OrderJournalEntry>();
for (const r of dump.orderJournalReads) {
  current = new Map(current);
  for (const id of r.removed) current.delete(id);
  for (const e of r.changed) current.set(e.intentId, e);
  reads.push({ atMs: r.atMs, entries: [...current.values()] });
}
const checks = [
  checkExactlyOnce(ledger, faults),
  checkReplays(ledger, faults, endMs),
  checkOutcomes(ledger, dump.orderJournal, dump.answers, reads, dump.orderJournalReadMs ?? endMs),
  checkStopGaps(ledger, faults, endMs, 1_000, exchangeHolds(dump.served)),
  checkOrphans(ledger, faults, endMs, 10_000),
  // No journal.query answer in the dump: the query comparison is skipped by passing the journal's own newest matches.
  checkJournal([], dump.activity, [...dump.activity].filter((e) => `${e.kind} ${e.text} ${e.clientId ?? ''}`.toLowerCase().includes('stk-')).sort((a, b) => b.seq - a.seq).slice(0, 5_000), dump.answers, ledger),
];
for (const c of checks) {
  console.log(`${c.violations.length === 0 ? 'PASS' : 'FAIL'} ${c.name}: ${c.checked} checked, ${c.violations.length} violations`);
  console.log(`     ${Object.entries(c.stats).map(([k, v]) => `${k}=${v}`).join(' ')}`);
  for (const v of c.violations.slice(0, 15)) console.log(`     - ${v}`);
  if (c.violations.length > 15) console.log(`     … ${c.violations.length - 15} more`);
}
