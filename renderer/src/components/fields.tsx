import type { HTMLAttributes, ReactNode } from 'react'

interface TextFieldProps {
  id: string
  label: string
  value: string
  onChange(value: string): void
  /** Added to `field`, e.g. `narrow`. */
  className?: string
  inputMode?: HTMLAttributes<HTMLInputElement>['inputMode']
  /** Shown under the input, e.g. a hint that reads the value. */
  children?: ReactNode
}

/** A labelled one-line text input, in the forms' monospace style. */
export function TextField({
  id,
  label,
  value,
  onChange,
  className,
  inputMode,
  children,
}: TextFieldProps) {
  return (
    <div className={className ? `field ${className}` : 'field'}>
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        className="input mono"
        inputMode={inputMode}
        value={value}
        onChange={(event) => onChange(event.target.value)}
      />
      {children}
    </div>
  )
}

interface RadioChoiceProps {
  /** The radio group's name. */
  group: string
  checked: boolean
  onSelect(): void
  children: ReactNode
}

/** The radio button and name that start one choice of a group. */
export function RadioChoice({ group, checked, onSelect, children }: RadioChoiceProps) {
  return (
    <label className="choice-name">
      <input type="radio" name={group} checked={checked} onChange={onSelect} />
      {children}
    </label>
  )
}
