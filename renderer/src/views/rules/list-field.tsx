import { useEffect, useId, useState } from 'react'

interface ListFieldProps {
  label: string
  values: string[]
  onChange(values: string[]): void
  hint?: string
  placeholder?: string
}

const parse = (text: string) =>
  text
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '')

/** A comma-separated list in one input; the text is kept as typed until it means something else. */
export function ListField({ label, values, onChange, hint, placeholder }: ListFieldProps) {
  const id = useId()
  const [text, setText] = useState(values.join(', '))

  // Take outside changes (a reset, a save from elsewhere) without fighting the user's typing.
  useEffect(() => {
    setText((current) =>
      JSON.stringify(parse(current)) === JSON.stringify(values) ? current : values.join(', '),
    )
  }, [values])

  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        className="input mono"
        value={text}
        placeholder={placeholder}
        aria-describedby={hint ? `${id}-hint` : undefined}
        onChange={(event) => {
          setText(event.target.value)
          onChange(parse(event.target.value))
        }}
      />
      {hint && (
        <p className="hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
    </div>
  )
}
