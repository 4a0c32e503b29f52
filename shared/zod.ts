import * as z from 'zod/mini';
import { en } from 'zod/locales';

/**
 * The zod every shared schema is built with: `zod/mini`, whose functional API tree-shakes
 * (classic `zod` put ~443 KiB in every Lambda bundle and ~45 ms on its cold start,
 * docs/performance.md). Import it as a namespace (`import * as z`): a named `{ z }` import
 * defeats the tree-shaking.
 *
 * Unlike classic zod, mini loads no locale, and every issue would read "Invalid input"; the
 * 400s name what is wrong with these messages (http/problem.ts), so English is set here, once,
 * before any schema in shared/ is built.
 */
z.config(en());

export * from 'zod/mini';
