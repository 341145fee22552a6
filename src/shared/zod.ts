/**
 * `zod/mini`, the functional build of zod 4, for every schema the extension builds. The worker builds ~900 schemas
 * as it starts, before it can take its first event (issue 6: a hotkey must trade within 150 ms of a cold worker);
 * with classic zod's larger code and heavier schema objects that cost ~105 ms of CPU, with mini ~70 ms (median,
 * the built worker's chunks imported in Node). Mini schemas parse identically (checked old against new on generated
 * inputs when the project moved over).
 *
 * Classic zod registers its English messages when it builds its first schema; mini leaves that to the app. Our
 * error texts (the router's "Malformed … request: …", the panel's form errors) are built from those messages, so
 * they are registered here, the same way classic does: only when no locale has been chosen yet. Import `z` from
 * this module, not from `zod/mini`, so that no mini schema can parse before the messages are in place.
 */
import { z } from 'zod/mini';

if (!z.core.globalConfig.localeError) z.config(z.locales.en());

export { z };
