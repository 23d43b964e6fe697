import { Menu, type MenuItemConstructorOptions } from 'electron'

/**
 * The standard menus from Electron's roles: copy and paste, reload, developer tools, zoom and
 * window commands behave as on every other app of the platform.
 */
export function buildMenuTemplate(platform: NodeJS.Platform): MenuItemConstructorOptions[] {
  const template: MenuItemConstructorOptions[] = [
    { role: 'fileMenu' },
    { role: 'editMenu' },
    { role: 'viewMenu' },
    { role: 'windowMenu' },
  ]

  // macOS puts About, Hide and Quit in a menu named after the app.
  if (platform === 'darwin') template.unshift({ role: 'appMenu' })
  return template
}

export function installMenu(platform: NodeJS.Platform = process.platform): void {
  Menu.setApplicationMenu(Menu.buildFromTemplate(buildMenuTemplate(platform)))
}
