/** The one IPC channel between the shell and its preload. */
export const CONTROL_CHANNEL = 'tollgate:control'

/** What the shell answers on it: where the control API is and the run's token. */
export interface ControlHandoff {
  controlUrl: string
  token: string
}
