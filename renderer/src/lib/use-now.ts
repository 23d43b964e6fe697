import { useEffect, useState } from 'react'

/** The current time in epoch ms, refreshed every `intervalMs`: for countdowns and live charts. */
export function useNow(intervalMs = 1000): number {
  const [now, setNow] = useState(Date.now)
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), intervalMs)
    return () => clearInterval(timer)
  }, [intervalMs])
  return now
}
