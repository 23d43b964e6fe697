/// <reference types="vite/client" />

/** What the desktop app's preload hands the page; absent when the UI runs in a browser. */
interface TollgateBridge {
  token?: string
  controlUrl?: string
}

interface Window {
  tollgate?: TollgateBridge
}
