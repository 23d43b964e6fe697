import { useEffect, useMemo, useState } from 'react'
import type { HeaderList } from '../../../../shared/exchange'
import { formatBytes } from '../../lib/format'
import { base64ToBytes, decodeBody, hexDump, type BodyView as Decoded } from './decode-body'

interface BodyViewProps {
  base64: string
  headers: HeaderList
  /** The size on the wire, which may exceed what was kept. */
  size: number
  truncated: boolean
}

/** Text beyond this is cut from the view to keep the panel responsive. */
const MAX_TEXT = 256 * 1024

/** A body decoded for reading, with notes on what was done to it and what could not be. */
export function BodyView({ base64, headers, size, truncated }: BodyViewProps) {
  const bytes = useMemo(() => base64ToBytes(base64), [base64])
  const [decoded, setDecoded] = useState<Decoded>()

  useEffect(() => {
    let current = true
    void decodeBody(bytes, headers).then((result) => current && setDecoded(result))
    return () => {
      current = false
    }
  }, [bytes, headers])

  if (size === 0 && bytes.length === 0) return <p className="muted">No body.</p>
  if (!decoded) return <p className="muted">Decoding…</p>

  return (
    <div className="body-view">
      <div className="notes">
        <span>{formatBytes(size)}</span>
        {decoded.decodedFrom.length > 0 && (
          <span className="note">decoded from {decoded.decodedFrom.join(', ')}</span>
        )}
        {decoded.cannotDecode && (
          <span className="note warning">
            cannot decode: {decoded.cannotDecode} (shown as stored)
          </span>
        )}
        {truncated && (
          <span className="note warning">
            only the first {formatBytes(bytes.length)} were kept (capture.maxBodyBytes)
          </span>
        )}
        {decoded.incomplete && <span className="note warning">{decoded.incomplete}</span>}
      </div>
      <DecodedContent view={decoded} />
    </div>
  )
}

function DecodedContent({ view }: { view: Decoded }) {
  const { body } = view
  switch (body.kind) {
    case 'empty':
      return <p className="muted">Empty after decoding.</p>
    case 'json':
    case 'text': {
      const cut = body.text.length > MAX_TEXT
      return (
        <>
          <pre className="code">{cut ? body.text.slice(0, MAX_TEXT) : body.text}</pre>
          {cut && <p className="muted">Showing the first {formatBytes(MAX_TEXT)} characters.</p>}
        </>
      )
    }
    case 'image':
      return <ImagePreview bytes={body.bytes} mime={body.mime} />
    case 'binary':
      return <pre className="code hex">{hexDump(body.bytes)}</pre>
  }
}

function ImagePreview({ bytes, mime }: { bytes: Uint8Array; mime: string }) {
  const [url, setUrl] = useState<string>()
  const [failed, setFailed] = useState(false)

  useEffect(() => {
    const objectUrl = URL.createObjectURL(
      new Blob([bytes as Uint8Array<ArrayBuffer>], { type: mime }),
    )
    setUrl(objectUrl)
    return () => URL.revokeObjectURL(objectUrl)
  }, [bytes, mime])

  if (failed) return <pre className="code hex">{hexDump(bytes)}</pre>
  return (
    <div className="image-preview">
      {url && <img src={url} alt={`Response body (${mime})`} onError={() => setFailed(true)} />}
      <span className="muted">{mime}</span>
    </div>
  )
}
