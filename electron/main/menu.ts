import { Menu, type MenuItemConstructorOptions } from 'electron';

/**
 * A minimal menu built from Electron roles: the edit shortcuts (copy/paste) need it on macOS;
 * reload and developer tools only when running from a checkout. File has Restore from backup….
 */
export function installMenu(options: { isMac: boolean; developer: boolean; onRestoreFromBackup: () => void }): void {
  const template: MenuItemConstructorOptions[] = [
    ...(options.isMac ? [{ role: 'appMenu' } as MenuItemConstructorOptions] : []),
    {
      label: 'File',
      submenu: [{ label: 'Restore from backup…', click: options.onRestoreFromBackup }, { type: 'separator' }, options.isMac ? { role: 'close' } : { role: 'quit' }],
    },
    { role: 'editMenu' },
    {
      label: 'View',
      submenu: [
        ...(options.developer ? ([{ role: 'reload' }, { role: 'toggleDevTools' }, { type: 'separator' }] as MenuItemConstructorOptions[]) : []),
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { type: 'separator' },
        { role: 'togglefullscreen' },
      ],
    },
    { role: 'windowMenu' },
  ];
  Menu.setApplicationMenu(Menu.buildFromTemplate(template));
}
