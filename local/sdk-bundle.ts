import { bundleSdk } from '../sdk/build.ts';
import type { LocalApplication } from './server.ts';

export const sdkBundlePath = '/sdk/latchkey.js';

/**
 * Serves @latchkey/web as one ES module at /sdk/latchkey.js, built by esbuild in memory on the
 * first request (a few tens of milliseconds): whoever runs `npm start` never runs a build step,
 * and the demo app always gets the SDK as it is in sdk/src.
 */
export const serveSdkBundle = (): LocalApplication => {
  let bundle: Promise<string> | undefined;
  return async (request, response, url) => {
    if (url.pathname !== sdkBundlePath) return false;
    bundle ??= bundleSdk({ standalone: true, minify: false, sourcemap: 'inline' });
    let code: string;
    try {
      code = await bundle;
    } catch (error) {
      bundle = undefined;
      throw error;
    }
    response.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'no-cache' });
    response.end(request.method === 'HEAD' ? undefined : code);
    return true;
  };
};
