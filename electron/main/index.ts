import { app } from 'electron'

// A placeholder shell: the desktop window arrives once the control API exists to feed it.
app.whenReady().then(() => {
  process.stdout.write(
    'Tollgate desktop shell is not built yet; run `npm start` for headless mode.\n',
  )
  app.quit()
})
