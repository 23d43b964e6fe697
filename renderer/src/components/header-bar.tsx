import { appStore } from '../api/app-store'
import { useStore } from '../api/external-store'
import { CopyButton } from './copy-button'

const CONNECTION_LABELS = {
  open: 'Live',
  connecting: 'Connecting…',
  closed: 'Reconnecting…',
}

/** Where the proxy listens, where it forwards to, and whether anything needs attention. */
export function HeaderBar() {
  const status = useStore(appStore, (state) => state.status)
  const connection = useStore(appStore, (state) => state.connection)
  const loadError = useStore(appStore, (state) => state.loadError)
  const logging = status?.logging

  return (
    <>
      <header className="top-bar">
        <div className="brand" aria-label="Tollgate">
          <span className="brand-mark" aria-hidden="true" />
          Tollgate
        </div>
        {status && (
          <>
            <div className="endpoint">
              <span className="endpoint-label">Proxy</span>
              <code>{status.proxyUrl}</code>
              <CopyButton text={status.proxyUrl} />
            </div>
            <div className="endpoint">
              <span className="endpoint-label">Upstream</span>
              <code>{status.upstream}</code>
              {status.sampleUpstream && <span className="tag">built-in sample API</span>}
            </div>
          </>
        )}
        <div className="spacer" />
        <div className={`connection ${connection}`} role="status">
          <span className="dot" aria-hidden="true" />
          {CONNECTION_LABELS[connection]}
        </div>
      </header>

      {logging && !logging.writable && (
        <div className="banner error" role="alert">
          <strong>Logging stopped.</strong> {sentence(logging.lastError)} Traffic still flows;{' '}
          {logging.pending} exchanges wait in memory
          {logging.dropped > 0 ? ` and ${logging.dropped} were dropped` : ''}. They are written as
          soon as the database file ({status.db}) is writable again.
        </div>
      )}
      {loadError && (
        <div className="banner error" role="alert">
          {loadError}
        </div>
      )}
    </>
  )
}

/** The core's error text as a sentence, so the explanation after it reads on. */
function sentence(text = 'The traffic log cannot be written.'): string {
  return /[.!?]$/.test(text.trim()) ? text.trim() : `${text.trim()}.`
}
