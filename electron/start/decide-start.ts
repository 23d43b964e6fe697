/** What `npm start` found on this machine. */
export interface StartFacts {
  /** The Electron executable, when its binary is installed. */
  electronBinary?: string
  /** ELECTRON_SKIP_BINARY_DOWNLOAD was set, which explains a missing binary. */
  downloadSkipped: boolean
  /** The ABI Electron's native modules need (its NODE_MODULE_VERSION). */
  electronAbi?: number
  /** The ABI the better-sqlite3 copy in native/electron was built for; undefined when absent. */
  nativeCopyAbi?: number
  /** Whether a window can be shown: always on macOS and Windows, a DISPLAY on Linux. */
  hasDisplay: boolean
}

export type StartMode =
  { mode: 'desktop'; electronBinary: string } | { mode: 'headless'; reason: string }

const PREPARE = 'node scripts/prepare-electron.mjs'

/**
 * Desktop when Electron's binary and better-sqlite3's Electron build are both here and a window
 * can be shown; headless otherwise, with the first reason that ruled the desktop out.
 */
export function decideStartMode(facts: StartFacts): StartMode {
  if (!facts.electronBinary) {
    const why = facts.downloadSkipped
      ? 'ELECTRON_SKIP_BINARY_DOWNLOAD is set'
      : `run ${PREPARE} where the network allows`
    return { mode: 'headless', reason: `Electron's binary is not installed (${why})` }
  }

  if (facts.nativeCopyAbi === undefined) {
    return {
      mode: 'headless',
      reason: `better-sqlite3 has no build for Electron in native/electron (run ${PREPARE})`,
    }
  }
  if (facts.electronAbi !== undefined && facts.nativeCopyAbi !== facts.electronAbi) {
    return {
      mode: 'headless',
      reason:
        `native/electron/better_sqlite3.node is built for ABI ${facts.nativeCopyAbi} but ` +
        `Electron needs ${facts.electronAbi} (run ${PREPARE})`,
    }
  }

  if (!facts.hasDisplay) {
    return {
      mode: 'headless',
      reason: 'there is no display to open a window on (DISPLAY and WAYLAND_DISPLAY are unset)',
    }
  }
  return { mode: 'desktop', electronBinary: facts.electronBinary }
}

/** Whether a desktop window could appear: Linux and the BSDs need an X11 or Wayland display. */
export function hasDisplay(platform: NodeJS.Platform, env: NodeJS.ProcessEnv): boolean {
  if (platform === 'darwin' || platform === 'win32') return true
  return Boolean(env.DISPLAY || env.WAYLAND_DISPLAY)
}

/** The line `npm start` prints before running headless. */
export function describeHeadless(reason: string): string {
  return `Starting headless: ${reason}.`
}
