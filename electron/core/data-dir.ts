import os from 'node:os'
import path from 'node:path'

/**
 * The per-user folder Tollgate keeps its traffic log and settings in, following each
 * platform's convention (the desktop app passes Electron's own userData folder instead).
 */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform = process.platform) {
  const home = os.homedir()
  if (platform === 'darwin') return path.join(home, 'Library', 'Application Support', 'Tollgate')
  if (platform === 'win32') {
    return path.join(env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), 'Tollgate')
  }
  return path.join(env.XDG_DATA_HOME ?? path.join(home, '.local', 'share'), 'tollgate')
}

/** Where the traffic log lives when neither `--db` nor the config names a file. */
export function defaultDbPath(env: NodeJS.ProcessEnv = process.env, platform = process.platform) {
  return path.join(defaultDataDir(env, platform), 'traffic.db')
}
