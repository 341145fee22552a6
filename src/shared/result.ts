/**
 * Expected failures travel as values, never as exceptions: every request answers a `Result`, and every error
 * carries a specific code and a message a trader can act on. Bugs still throw.
 */
import { z } from './zod.ts';

/** Every error code Strike can report. Exchange errors keep Binance's numeric code in `exchangeCode`. */
export const ErrorCodeSchema = z.enum([
  'BAD_REQUEST',
  'UNKNOWN_TYPE',
  'FOREIGN_SENDER',
  'INTERNAL',
  'VAULT_LOCKED',
  'VAULT_EMPTY',
  'VAULT_BAD_PASSWORD',
  'VAULT_THROTTLED',
  'VAULT_BAD_KEY',
  'VALIDATION',
  'EXCHANGE',
  'NETWORK',
  'RATE_LIMITED',
  'BANNED',
  'UNKNOWN_STATUS',
  'NOT_CONFIGURED',
]);
export type ErrorCode = z.infer<typeof ErrorCodeSchema>;

export const AppErrorSchema = z.strictObject({
  code: ErrorCodeSchema,
  message: z.string(),
  exchangeCode: z.optional(z.int()),
  /** Nearest valid values offered instead of a bare refusal (validator fix-ups). */
  suggestion: z.optional(z.record(z.string(), z.string())),
});
export type AppError = z.infer<typeof AppErrorSchema>;

export type Result<T> = { ok: true; value: T } | { ok: false; error: AppError };

export const ok = <T>(value: T): Result<T> => ({ ok: true, value });
export const err = <T = never>(code: ErrorCode, message: string, extra: Omit<AppError, 'code' | 'message'> = {}): Result<T> => ({
  ok: false,
  error: { code, message, ...extra },
});

/** Schema of a Result carrying `value`, for parsing answers at the UI boundary. */
export const resultSchema = <T extends z.core.$ZodType>(value: T) =>
  z.union([z.strictObject({ ok: z.literal(true), value }), z.strictObject({ ok: z.literal(false), error: AppErrorSchema })]);

/** Exhaustiveness guard for switches over discriminated unions. */
export function assertNever(x: never): never {
  throw new Error(`unreachable: ${JSON.stringify(x)}`);
}
