/**
 * What the soak reads from the operating system: how many files a process may open, and the
 * TCP sockets on the bench's loopback ports. Linux only; elsewhere both answer undefined, and
 * the soak reports the figure as unknown rather than guessing.
 */

import fs from 'node:fs'

const ESTABLISHED = '01'
const LISTEN = '0A'

/** The soft and hard limit on open files this process (and every child it forks) has. */
export function readOpenFileLimit() {
  const limits = readText('/proc/self/limits')
  const match = limits && /^Max open files\s+(\S+)\s+(\S+)/m.exec(limits)
  if (!match) return undefined
  const parse = (value) => (value === 'unlimited' ? Infinity : Number(value))
  return { soft: parse(match[1]), hard: parse(match[2]) }
}

/**
 * Counts the open connections accepted by each listener in `ports` (the server's side of each,
 * so a client's half of the same connection is not counted twice), and which ports still listen.
 *
 * The kernel writes /proc/net/tcp a page at a time, so sockets opened or closed meanwhile can
 * shift an entry into two pages or out of both. Entries are told apart by their addresses, and
 * two reads are merged, so a connection open throughout is counted once and never missed.
 */
export function readSockets(ports) {
  const wanted = new Set(ports)
  const established = new Set()
  const listening = new Set()

  for (let read = 0; read < 2; read++) {
    const table = readText('/proc/net/tcp')
    if (table === undefined) return undefined
    for (const line of table.split('\n').slice(1)) {
      const [, local, remote, state] = line.trim().split(/\s+/)
      if (state === undefined) continue
      const localPort = parseInt(local.split(':')[1], 16)
      if (!wanted.has(localPort)) continue
      if (state === ESTABLISHED) established.add(`${local} ${remote}`)
      else if (state === LISTEN) listening.add(localPort)
    }
  }

  const counts = Object.fromEntries(ports.map((port) => [port, 0]))
  for (const connection of established) counts[parseInt(connection.split(/[: ]/)[1], 16)]++
  return { established: counts, listening: [...listening] }
}

/** The processes still running whose parent is this one, as `pid command`. */
export function listChildProcesses() {
  let entries
  try {
    entries = fs.readdirSync('/proc').filter((entry) => /^\d+$/.test(entry))
  } catch {
    return []
  }
  const children = []
  for (const pid of entries) {
    const stat = readText(`/proc/${pid}/stat`)
    if (!stat) continue
    // The command sits in parentheses and may hold spaces; the fields after it are fixed.
    const [state, parent] = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    if (Number(parent) !== process.pid || state === 'Z') continue
    children.push(`${pid} ${stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'))}`)
  }
  return children
}

function readText(file) {
  try {
    return fs.readFileSync(file, 'utf8')
  } catch {
    return undefined
  }
}
