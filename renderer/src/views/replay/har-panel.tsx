import { useState } from 'react'
import type { HarImportSummary } from '../../../../shared/api'
import { appStore } from '../../api/app-store'
import { useStore } from '../../api/external-store'
import { downloadHar, importHarFile } from '../../api/har-transfer'
import { describeFilter } from './replay-setup'
import { noteSession, replaySetup } from './replay-store'
import { useDescribeKey } from './use-replay-selection'

/** Problems listed in full; a file with more is summed up. */
const LISTED_PROBLEMS = 200

/** HAR files in (as a session to replay) and out (what the Traffic filter selects). */
export function HarPanel() {
  return (
    <section className="card" aria-labelledby="har-heading">
      <h2 id="har-heading">HAR files</h2>
      <div className="har-columns">
        <HarImport />
        <HarExport />
      </div>
    </section>
  )
}

function HarImport() {
  const [file, setFile] = useState<File>()
  const [session, setSession] = useState('')
  const [busy, setBusy] = useState(false)
  const [result, setResult] = useState<HarImportSummary>()
  const [error, setError] = useState<string>()

  const upload = async () => {
    if (!file) return
    setBusy(true)
    setError(undefined)
    try {
      const summary = await importHarFile(file, session.trim() || file.name)
      setResult(summary)
      noteSession(summary.session)
    } catch (failure) {
      setResult(undefined)
      setError((failure as Error).message)
    } finally {
      setBusy(false)
    }
  }

  return (
    <div className="har-part">
      <h3>Import</h3>
      <p className="hint">
        Browser devtools and proxies save HAR files; their entries become a session you can replay,
        and run "what if" on, without touching live traffic.
      </p>
      <div className="field">
        <label htmlFor="har-file">HAR file</label>
        <input
          id="har-file"
          type="file"
          accept=".har,application/json"
          onChange={(event) => {
            const picked = event.target.files?.[0]
            setFile(picked)
            if (picked) setSession(picked.name)
          }}
        />
      </div>
      <div className="field">
        <label htmlFor="har-session">Session</label>
        <input
          id="har-session"
          className="input mono"
          placeholder="the file's name"
          value={session}
          onChange={(event) => setSession(event.target.value)}
        />
      </div>
      <div className="actions">
        <button type="button" className="button primary" disabled={!file || busy} onClick={upload}>
          {busy ? 'Importing…' : 'Import'}
        </button>
      </div>
      {error && (
        <div className="problems error" role="alert">
          {error}
        </div>
      )}
      {result && <ImportResult result={result} />}
    </div>
  )
}

function ImportResult({ result }: { result: HarImportSummary }) {
  return (
    <div className="import-result" role="region" aria-label="Import result">
      <p>
        <strong>{result.imported}</strong> entries imported into session{' '}
        <code>{result.session}</code>
        {result.skipped > 0 && (
          <span className="text-danger">, {result.skipped} skipped</span>
        )}.{' '}
        {result.imported > 0 && (
          <button
            type="button"
            className="link"
            onClick={() => replaySetup.set({ mode: 'session', session: result.session })}
          >
            Replay this session
          </button>
        )}
      </p>
      {result.problems.length > 0 && (
        <table className="data-table" aria-label="Problems per entry">
          <thead>
            <tr>
              <th scope="col" className="numeric">
                Entry
              </th>
              <th scope="col">Problem</th>
            </tr>
          </thead>
          <tbody>
            {result.problems.slice(0, LISTED_PROBLEMS).map((problem, index) => (
              <tr key={index}>
                <td className="numeric">{problem.index}</td>
                <td>{problem.problem}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {result.problems.length > LISTED_PROBLEMS && (
        <p className="muted">…and {result.problems.length - LISTED_PROBLEMS} more problems.</p>
      )}
    </div>
  )
}

function HarExport() {
  const filter = useStore(appStore, (state) => state.trafficFilter)
  const describeKey = useDescribeKey()
  const [reveal, setReveal] = useState(false)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string>()

  const download = async () => {
    setBusy(true)
    setError(undefined)
    try {
      await downloadHar(filter, reveal)
    } catch (failure) {
      setError((failure as Error).message)
    } finally {
      setBusy(false)
    }
  }

  return (
    <div className="har-part">
      <h3>Export</h3>
      <p className="hint">
        Saves what the Traffic filter selects, oldest first, as HAR 1.2:{' '}
        <strong>{describeFilter(filter, describeKey)}</strong>.
      </p>
      <label className="checkbox">
        <input type="checkbox" checked={reveal} onChange={(e) => setReveal(e.target.checked)} />
        Write API keys in clear (masked otherwise)
      </label>
      <div className="actions">
        <button type="button" className="button" disabled={busy} onClick={download}>
          {busy ? 'Exporting…' : 'Export HAR'}
        </button>
      </div>
      {error && (
        <div className="problems error" role="alert">
          {error}
        </div>
      )}
    </div>
  )
}
