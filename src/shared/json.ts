/** Stored JSON text parsed, or undefined when absent, not a string or not JSON (the caller's schema then decides). */
export function parseJson(raw: unknown): unknown {
  if (typeof raw !== 'string') return undefined;
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return undefined;
  }
}
