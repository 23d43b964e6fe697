import type { ReactNode } from 'react'
import { appStore } from '../api/app-store'
import { useStore } from '../api/external-store'
import { CopyButton } from './copy-button'

interface GettingStartedProps {
  title: string
  /** What this view will show once traffic arrives. */
  children?: ReactNode
  /** Which sample command to offer. */
  example?: 'request' | 'preflight'
}

/** The empty state: where to point the app, and a command that produces the first row. */
export function GettingStarted({ title, children, example = 'request' }: GettingStartedProps) {
  const status = useStore(appStore, (state) => state.status)
  const origin = useStore(appStore, (state) =>
    state.configView?.config.cors.allowedOrigins.find((entry) => entry !== '*'),
  )
  if (!status) return <div className="empty">Connecting to Tollgate…</div>

  const command =
    example === 'preflight'
      ? `curl -i -X OPTIONS ${status.proxyUrl}/ \\\n  -H 'Origin: ${origin ?? 'http://localhost:3000'}' \\\n  -H 'Access-Control-Request-Method: POST' \\\n  -H 'Access-Control-Request-Headers: authorization, content-type'`
      : `curl -i ${status.proxyUrl}/ \\\n  -H 'Authorization: Bearer sk_test_example_key' \\\n  -H 'Origin: ${origin ?? 'http://localhost:3000'}'`

  return (
    <div className="empty">
      <h2>{title}</h2>
      {children}
      <p>
        Point your app at <code className="pill">{status.proxyUrl}</code> instead of{' '}
        <code className="pill">{status.upstream}</code>. Tollgate forwards every request there,
        applying the rate limit and CORS rules on the way.
      </p>
      <div className="command">
        <pre>{command}</pre>
        <CopyButton text={command} />
      </div>
      {status.demo && (
        <p>
          Or open the{' '}
          <a href={status.demo.allowedUrl} target="_blank" rel="noreferrer">
            demo page
          </a>
          : its buttons call the proxy from an allowed origin, and it links to the same page on an
          origin that is not allowed.
        </p>
      )}
    </div>
  )
}
