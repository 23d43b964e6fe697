import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import path from 'node:path'

export type BrowserCommand =
  { command: string; args: string[]; verbatim?: boolean } | { unavailable: string }

/**
 * How to open `url` in the user's browser on this platform, or why it cannot be: Linux needs a
 * display and xdg-open.
 */
export function chooseBrowserCommand(
  url: string,
  platform: NodeJS.Platform,
  env: NodeJS.ProcessEnv,
  isOnPath: (command: string) => boolean,
): BrowserCommand {
  if (platform === 'darwin') return { command: 'open', args: [url] }

  // cmd treats & as a command separator, and a URL carries them in its query.
  if (platform === 'win32') {
    const escaped = url.replace(/[&^|<>]/g, '^$&')
    return { command: 'cmd', args: ['/c', 'start', '""', escaped], verbatim: true }
  }

  if (!env.DISPLAY && !env.WAYLAND_DISPLAY) return { unavailable: 'there is no display' }
  if (!isOnPath('xdg-open')) return { unavailable: 'xdg-open is not installed' }
  return { command: 'xdg-open', args: [url] }
}

/** Whether `command` is an existing file in one of PATH's folders. */
export function isOnPath(command: string, env: NodeJS.ProcessEnv = process.env): boolean {
  return (env.PATH ?? '')
    .split(path.delimiter)
    .some((dir) => dir !== '' && existsSync(path.join(dir, command)))
}

/**
 * Opens `url` in the user's browser, detached so the browser outlives Tollgate. Resolves with
 * why it could not when it could not; the caller has printed the URL either way.
 */
export function openInBrowser(url: string, env: NodeJS.ProcessEnv = process.env) {
  const choice = chooseBrowserCommand(url, process.platform, env, (name) => isOnPath(name, env))
  if ('unavailable' in choice) return Promise.resolve(choice.unavailable)

  return new Promise<string | undefined>((resolve) => {
    const child = spawn(choice.command, choice.args, {
      detached: true,
      stdio: 'ignore',
      windowsVerbatimArguments: choice.verbatim,
    })
    child.once('error', (error) => resolve(`${choice.command} failed: ${error.message}`))
    child.once('spawn', () => {
      child.unref()
      resolve(undefined)
    })
  })
}
