import { useState } from 'react'
import { copyText } from '../lib/copy-text'

interface CopyButtonProps {
  /** The text, or a function that produces it when clicked (e.g. fetched on demand). */
  text: string | (() => Promise<string> | string)
  label?: string
  className?: string
}

/** A button that copies text and says so for a moment. */
export function CopyButton({ text, label = 'Copy', className = '' }: CopyButtonProps) {
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle')

  const copy = async () => {
    try {
      await copyText(typeof text === 'function' ? await text() : text)
      setState('copied')
    } catch {
      setState('failed')
    }
    setTimeout(() => setState('idle'), 1500)
  }

  return (
    <button type="button" className={`button small ${className}`} onClick={copy}>
      {state === 'copied' ? 'Copied' : state === 'failed' ? 'Copy failed' : label}
    </button>
  )
}
