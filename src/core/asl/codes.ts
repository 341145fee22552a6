/** Binance's answers the protection engine tells apart (fact sheet §4.5, §4.7, §5, §6). */

/** "Order would immediately trigger" (-2021, §4.5) and its TP/SL twin (-4142, §5): the price is already past it. */
export const WOULD_TRIGGER = new Set([-2021, -4142]);
/** clientAlgoId already used by an open order (-4116, §4.7): our earlier attempt did reach the exchange. */
export const DUPLICATE_ID = -4116;
/**
 * Outcomes where resending the same request is right (§5): unknown status (-1000, -1006, -1007, or 0 = transport
 * failure: resend under the same clientAlgoId so a copy that did land answers -4116), internal error (-1001), and
 * load/limits (-1003, -1008, -1015; the runner's limiter paces the resend).
 */
export const RETRY_SAME_ID: ReadonlySet<number> = new Set([0, -1000, -1001, -1003, -1006, -1007, -1008, -1015]);
/** Cancel of an order the exchange no longer has (-2011 CANCEL_REJECTED "Unknown order", -2013 NO_SUCH_ORDER). */
export const ALREADY_GONE = new Set([-2011, -2013]);
/**
 * A placement, cancel or close that failed for a passing reason (the codes of RETRY_SAME_ID: unknown status,
 * internal error, load, or 0 = not sent at all, e.g. refused locally during a 418 ban or held by the rate limiter
 * until the weight window turns, §6) is sent again, paced by the runner (to the hold's end, or a backoff), up to
 * this many attempts: with the backoff capped at 2 s that outlasts a one-minute weight window. Giving up after three
 * quick tries left a closed position's stops resting until the next reconcile, and in a full soak a position opened
 * during a 1 s ban without its stop: all three placements met the ban within 50 ms.
 */
export const TRANSIENT_ATTEMPTS = 40;
