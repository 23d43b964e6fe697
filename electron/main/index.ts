import { app } from 'electron'
import { startDesktop } from './desktop'

// electron-vite sets the renderer's dev server address under `electron-vite dev` only.
startDesktop({
  rendererUrl: app.isPackaged ? undefined : process.env.ELECTRON_RENDERER_URL,
})
