import type { ReactNode } from 'react'
import type { ExchangeDetail } from '../../../../shared/api'
import type { CorsFinding, ExchangeSummary } from '../../../../shared/exchange'
import { selectExchange } from '../../api/app-store'
import { CORS_RULE_LABELS } from '../../lib/cors-labels'
import { formatCountdown, formatDuration, formatTime, formatWindow } from '../../lib/format'

/** A link to another exchange in the detail panel. */
export function ExchangeLink({ id, children }: { id: number; children: ReactNode }) {
  return (
    <button
      type="button"
      className="link"
      onClick={(event) => {
        // Inside a table row, the row's own click would select the row instead.
        event.stopPropagation()
        selectExchange(id)
      }}
    >
      {children}
    </button>
  )
}

function Finding({ finding, tone }: { finding: CorsFinding; tone: 'danger' | 'warning' }) {
  return (
    <div className={`finding ${tone}`}>
      <div className="finding-rule">{CORS_RULE_LABELS[finding.rule]}</div>
      <p>{finding.detail}</p>
      <p className="fix">
        <strong>Fix:</strong> {finding.fix}
      </p>
    </div>
  )
}

/** What the browser does with this exchange, why, and the change that would fix it. */
export function VerdictSection({ exchange }: { exchange: ExchangeSummary }) {
  const verdict = exchange.cors
  const preflight = verdict?.preflight
  const isPreflight = exchange.kind === 'preflight'

  return (
    <section className="section" aria-labelledby="verdict-heading">
      <h3 id="verdict-heading">CORS verdict</h3>
      {!verdict && exchange.kind === 'websocket' ? (
        <p className="muted">
          Browsers apply no CORS rules to a WebSocket handshake: the server decides by its Origin
          header.
        </p>
      ) : !verdict && exchange.origin !== undefined ? (
        <p className="muted">
          No CORS verdict was recorded: the exchange was imported from a file, or refused before the
          CORS check. Replay it to see what the allowlist makes of it.
        </p>
      ) : !verdict || verdict.outcome === 'not-cors' ? (
        <p className="muted">
          No Origin header: this is not a cross-origin request, so browsers apply no CORS rules.
        </p>
      ) : (
        <>
          <p className={`outcome ${verdict.outcome === 'allowed' ? 'success' : 'danger'}`}>
            {verdict.outcome === 'allowed'
              ? isPreflight
                ? 'Preflight passed: the browser goes on to send the request.'
                : 'Allowed: script on the page can read this response.'
              : isPreflight
                ? 'Preflight refused: the browser never sends the request.'
                : 'Blocked: the browser hides this response from script.'}
          </p>
          {verdict.blocking && <Finding finding={verdict.blocking} tone="danger" />}
          {verdict.warnings.map((warning, index) => (
            <Finding key={index} finding={warning} tone="warning" />
          ))}
        </>
      )}

      {preflight?.needed && (
        <p>
          {preflight.source === 'logged' && preflight.exchangeId !== undefined && (
            <>
              Preceded by{' '}
              <ExchangeLink id={preflight.exchangeId}>
                preflight #{preflight.exchangeId}
              </ExchangeLink>
              .
            </>
          )}
          {preflight.source === 'browser-cache' &&
            'Needed a preflight; the browser reused one it had cached (Access-Control-Max-Age).'}
          {preflight.source === 'missing' && 'Needed a preflight, but Tollgate saw none.'}
        </p>
      )}
      {exchange.pairedId !== undefined && preflight?.exchangeId !== exchange.pairedId && (
        <p>
          {isPreflight ? 'Followed by ' : 'Paired with '}
          <ExchangeLink id={exchange.pairedId}>
            {isPreflight ? 'request' : 'preflight'} #{exchange.pairedId}
          </ExchangeLink>
          .
        </p>
      )}
      {isPreflight && exchange.pairedId === undefined && verdict?.outcome === 'allowed' && (
        <p className="muted">No request has followed this preflight yet.</p>
      )}
    </section>
  )
}

/** The rate limiter's decision, and the upstream's own budget when it reported one. */
export function RateLimitSection({ exchange }: { exchange: ExchangeSummary }) {
  const decision = exchange.rateLimit
  const upstream = exchange.upstreamRateLimit
  if (!decision && !upstream) return null

  return (
    <section className="section" aria-labelledby="limit-heading">
      <h3 id="limit-heading">Rate limit</h3>
      {decision && (
        <dl className="facts">
          <dt>Decision</dt>
          <dd className={decision.allowed ? '' : 'text-danger'}>
            {decision.allowed ? 'let through' : 'refused with 429'}
            {!decision.enforced && ' (observe only: nothing is refused)'}
          </dd>
          <dt>Budget</dt>
          <dd>
            {exchange.keyMasked ? (
              <span title={decision.bucket}>
                key <code>{exchange.keyMasked}</code>
              </span>
            ) : (
              <code>{decision.bucket}</code>
            )}
          </dd>
          <dt>Remaining</dt>
          <dd>
            {decision.remaining} of {decision.limit} per {formatWindow(decision.windowMs)}
          </dd>
          <dt>Reset</dt>
          <dd>
            {formatTime(decision.resetAt)} ({formatCountdown(decision.resetAt - exchange.startedAt)}{' '}
            after the request)
          </dd>
          {decision.retryAfterSeconds !== undefined && (
            <>
              <dt>Retry-After</dt>
              <dd>{decision.retryAfterSeconds} s</dd>
            </>
          )}
        </dl>
      )}
      {upstream && (
        <dl className="facts">
          <dt>Upstream says</dt>
          <dd>
            {upstream.remaining ?? '?'} of {upstream.limit ?? '?'} remaining
            {upstream.resetAt !== undefined && `, resets ${formatTime(upstream.resetAt)}`} (
            {upstream.source === 'ietf-draft' ? 'RateLimit header' : 'X-RateLimit-* headers'})
          </dd>
        </dl>
      )}
    </section>
  )
}

/** Where the time went: waiting for the upstream, then receiving the body. */
export function TimingSection({ exchange }: { exchange: ExchangeDetail }) {
  const { startedAt, firstByteAt, endedAt } = exchange
  const total = endedAt === undefined ? undefined : endedAt - startedAt
  const waiting = firstByteAt === undefined ? undefined : firstByteAt - startedAt
  const download =
    firstByteAt === undefined || endedAt === undefined ? undefined : endedAt - firstByteAt

  // A small waterfall: each phase drawn where it sits within the whole exchange.
  const bar = (phase: 'waiting' | 'download', offset = 0, length?: number) => {
    const width = total && length !== undefined ? Math.max(2, (length / total) * 100) : 0
    const left = total ? Math.min(100 - width, (offset / total) * 100) : 0
    return (
      <span className="timing-track" aria-hidden="true">
        <span className={`timing-bar ${phase}`} style={{ left: `${left}%`, width: `${width}%` }} />
      </span>
    )
  }

  return (
    <section className="section" aria-labelledby="timing-heading">
      <h3 id="timing-heading">Timing</h3>
      <dl className="facts">
        <dt>Started</dt>
        <dd>
          {new Date(startedAt).toLocaleDateString()} {formatTime(startedAt)}
        </dd>
        <dt>Waiting</dt>
        <dd>
          {bar('waiting', 0, waiting)}
          {formatDuration(waiting)} until the first response byte
        </dd>
        <dt>Download</dt>
        <dd>
          {bar('download', waiting, download)}
          {formatDuration(download)}
        </dd>
        <dt>Total</dt>
        <dd>{total === undefined ? 'still open' : formatDuration(total)}</dd>
      </dl>
    </section>
  )
}
