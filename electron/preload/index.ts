// The renderer learns nothing from the shell yet; the control API's address arrives with it.
export {}
