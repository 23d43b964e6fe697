/**
 * The request every bench client sends: the 15 header fields Chromium puts on a cross-origin
 * `fetch()` to a JSON API, in Chromium's order, so proxies parse and copy a realistic load.
 */

/** The page the simulated browser runs on; Tollgate's CORS allowlist holds it. */
export const PAGE_ORIGIN = 'http://localhost:5173'

export const REQUEST_PATH = '/v1/items/42?include=owner'

/** Header fields as `[name, value]`, given the `host:port` the request goes to. */
export function listBrowserHeaders(authority) {
  return [
    ['Host', authority],
    ['Connection', 'keep-alive'],
    ['sec-ch-ua-platform', '"Linux"'],
    ['X-API-Key', 'tg_live_4f9c2a7d1e8b6035c4a1'],
    [
      'User-Agent',
      'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
    ],
    ['sec-ch-ua', '"Google Chrome";v="131", "Chromium";v="131", "Not_A Brand";v="24"'],
    ['sec-ch-ua-mobile', '?0'],
    ['Accept', 'application/json, text/plain, */*'],
    ['Origin', PAGE_ORIGIN],
    ['Sec-Fetch-Site', 'cross-site'],
    ['Sec-Fetch-Mode', 'cors'],
    ['Sec-Fetch-Dest', 'empty'],
    ['Referer', `${PAGE_ORIGIN}/dashboard`],
    ['Accept-Encoding', 'gzip, deflate, br, zstd'],
    ['Accept-Language', 'en-US,en;q=0.9'],
  ]
}
