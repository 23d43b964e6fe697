import { contextBridge, ipcRenderer } from 'electron'
import { CONTROL_CHANNEL, type ControlHandoff } from './control-channel'

// Asked synchronously so the page finds window.tollgate before its own scripts run. IPC rather
// than a command-line argument keeps the token out of the process list other users can read.
const handoff = ipcRenderer.sendSync(CONTROL_CHANNEL) as ControlHandoff | null

// The shell answers null to a page outside the UI's origin; such a page gets nothing.
if (handoff) {
  contextBridge.exposeInMainWorld('tollgate', {
    controlUrl: handoff.controlUrl,
    token: handoff.token,
  })
}
