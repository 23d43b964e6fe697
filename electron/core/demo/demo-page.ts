import { createHash } from 'node:crypto'
import { DEMO_SCRIPT } from './demo-script'

/** Which of the two demo pages: the one whose origin is allowed, or the one left off the list. */
export type DemoSide = 'allowed' | 'blocked'

export interface DemoPageOptions {
  side: DemoSide
  /** Where the page's script sends its requests. */
  proxyUrl: string
  /** The page itself, e.g. `http://127.0.0.1:41234`. */
  origin: string
  /** The other demo page, linked from this one. */
  otherUrl: string
  apiKey: string
}

const STYLE = `
body { font: 15px/1.5 system-ui, sans-serif; margin: 0 auto; max-width: 760px; padding: 24px; color: #1f2430 }
header { border-left: 6px solid #0f7b3f; padding-left: 14px; margin-bottom: 20px }
.blocked header { border-left-color: #c8102e }
h1 { font-size: 22px; margin: 0 }
code { font: 13px ui-monospace, monospace; background: #f1f3f6; padding: 1px 4px; border-radius: 3px }
.action { display: grid; grid-template-columns: 230px 1fr; gap: 4px 16px; padding: 12px 0; border-top: 1px solid #e3e6eb }
.action p { margin: 0; grid-column: 2; color: #5b6270; font-size: 13px }
button { font: inherit; padding: 6px 10px; cursor: pointer }
output { font: 13px ui-monospace, monospace; align-self: center }
output[data-tone='ok'] { color: #0f7b3f }
output[data-tone='limited'] { color: #b45309 }
output[data-tone='error'] { color: #c8102e }
label { display: block; margin: 16px 0 }
input { font: 13px ui-monospace, monospace; padding: 4px 6px; width: 240px }
`

const ACTIONS = [
  {
    action: 'simple',
    label: 'Simple GET',
    note: 'No key and no custom header: the browser sends it at once, without a preflight. Tollgate forwards and counts it; whether script may read the answer depends on the origin.',
  },
  {
    action: 'keyed',
    label: 'GET with an API key',
    note: 'X-API-Key is not a header browsers send freely, so the browser asks Tollgate first (a preflight) and then sends the GET.',
  },
  {
    action: 'burst',
    label: 'Burst of 70 GETs',
    note: 'One key, 70 requests in a row: more than the default 60 a minute, so the last ones get 429 with Retry-After.',
  },
  {
    action: 'header',
    label: 'GET with a custom header',
    note: 'Adds X-Demo-Trace, which the allowed headers do not list: the preflight is refused and the GET is never sent. Add the header under Rules to let it through.',
  },
  {
    action: 'credentials',
    label: 'Credentialed call',
    note: "Sets a cookie, then fetches with credentials: 'include' and no key, so no preflight. Tollgate forwards and counts it, but unless Rules allow credentials the browser hides the answer.",
  },
]

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`)

/** The page's HTML for one side. */
export function renderDemoPage(options: DemoPageOptions): string {
  const allowed = options.side === 'allowed'
  const config = JSON.stringify({ proxyUrl: options.proxyUrl, apiKey: options.apiKey })
  const actions = ACTIONS.map(
    (item) => `
    <div class="action">
      <button type="button" data-action="${item.action}">${item.label}</button>
      <output id="result-${item.action}" aria-label="Result of ${item.label}">not sent yet</output>
      <p>${escapeHtml(item.note)}</p>
    </div>`,
  ).join('')

  const title = allowed
    ? 'Tollgate demo: an allowed origin'
    : 'Tollgate demo: an origin not on the list'
  const intro = allowed
    ? `This page's origin, <code>${options.origin}</code>, was added to Tollgate's CORS allowlist for this run. Each button makes a real cross-origin call to the proxy at <code>${options.proxyUrl}</code>; the result shows what script on this page could read. Watch the same calls arrive in the Tollgate window.`
    : `This page's origin, <code>${options.origin}</code>, is not on Tollgate's allowlist. The same calls go to <code>${options.proxyUrl}</code>, and the browser blocks every read. Open one in Tollgate to see why, then add this origin under Rules and try again.`
  const link = allowed
    ? `<a href="${options.otherUrl}">The same page from an origin not on the allowlist</a>`
    : `<a href="${options.otherUrl}">Back to the page with an allowed origin</a>`

  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<link rel="icon" href="data:,">
<style>${STYLE}</style>
</head>
<body class="${options.side}">
<header>
  <h1>${title}</h1>
  <p>${intro}</p>
  <p>${link}</p>
</header>
<main>
  <label>Path on the API <input id="path" value="/products" spellcheck="false"></label>
  ${actions}
</main>
<script type="application/json" id="demo-config">${escapeJson(config)}</script>
<script>${DEMO_SCRIPT}</script>
</body>
</html>
`
}

/**
 * The policy the page is served with: its own inline script and style (pinned by hash), requests
 * to the proxy and nowhere else.
 */
export function demoPagePolicy(proxyUrl: string): string {
  return [
    "default-src 'none'",
    `script-src '${hashOf(DEMO_SCRIPT)}'`,
    `style-src '${hashOf(STYLE)}'`,
    `connect-src ${new URL(proxyUrl).origin}`,
    'img-src data:',
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ')
}

function hashOf(text: string): string {
  return `sha256-${createHash('sha256').update(text).digest('base64')}`
}

/** JSON inside a script block must not be able to close the block. */
function escapeJson(json: string): string {
  return json.replace(/</g, '\\u003c')
}
