import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { readConnection } from './api/client'
import { App } from './app'
import './styles.css'

// Take the token out of the address before anything else reads or rewrites the fragment.
readConnection()

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
)
