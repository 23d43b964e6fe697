/**
 * Serves the built UI: the same files the desktop window loads, so a plain browser gets the same
 * app in headless mode. Only files inside the renderer folder are ever read.
 */

import fs from 'node:fs'
import type { IncomingMessage, ServerResponse } from 'node:http'
import path from 'node:path'
import { errorBody } from '../../../shared/errors'

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.wasm': 'application/wasm',
}

/** The policy sent with every HTML page: scripts and styles from this server, sockets back to it. */
export function contentSecurityPolicy(host: string): string {
  return [
    "default-src 'self'",
    `connect-src 'self' ws://${host}`,
    "img-src 'self' data: blob:",
    "style-src 'self' 'unsafe-inline'",
  ].join('; ')
}

/**
 * Creates the handler for GET and HEAD requests outside `/api`: `/` is `index.html`, other paths
 * name files under `rendererDir`. Anything that would leave the folder, or is missing, is a 404.
 * `host` is the validated Host of the request, for the Content-Security-Policy.
 */
export function createStaticHandler(rendererDir: string) {
  const root = path.resolve(rendererDir)

  return async (request: IncomingMessage, response: ServerResponse, host: string) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.setHeader('Allow', 'GET, HEAD')
      sendError(response, 405, 'Only GET and HEAD read the UI; the API is under /api.')
      return
    }

    const file = await findFile(root, request.url ?? '/')
    if (file === undefined) {
      sendError(response, 404, `Nothing at ${request.url}. The UI starts at /.`)
      return
    }

    const type = CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream'
    response.setHeader('Content-Type', type)
    response.setHeader('X-Content-Type-Options', 'nosniff')
    if (type.startsWith('text/html')) {
      response.setHeader('Content-Security-Policy', contentSecurityPolicy(host))
      response.setHeader('X-Frame-Options', 'DENY')
      response.setHeader('Referrer-Policy', 'no-referrer')
      // A new build changes the asset names index.html points at, so it is never cached.
      response.setHeader('Cache-Control', 'no-cache')
    }

    const stream = fs.createReadStream(file)
    stream.once('open', () => {
      if (request.method === 'HEAD') {
        stream.destroy()
        response.end()
      } else {
        stream.pipe(response)
      }
    })
    stream.once('error', () => {
      if (!response.headersSent) sendError(response, 404, `Cannot read ${request.url}.`)
      else response.destroy()
    })
  }
}

/** The real path of the file a request names, or undefined when it is outside `root` or absent. */
async function findFile(root: string, url: string): Promise<string | undefined> {
  let pathname: string
  try {
    pathname = decodeURIComponent(url.split(/[?#]/, 1)[0] ?? '/')
  } catch {
    return undefined
  }

  // Refused before touching the disk: parent segments, backslashes (path separators on Windows)
  // and NUL bytes, whether sent plainly or percent-encoded.
  const segments = pathname.split('/')
  if (segments.includes('..') || pathname.includes('\\') || pathname.includes('\0')) {
    return undefined
  }
  const relative = pathname === '/' ? 'index.html' : segments.filter(Boolean).join(path.sep)

  try {
    const candidate = path.join(root, relative)
    // Resolving links as well means a symlink in the folder cannot point the server elsewhere.
    const [real, realRoot] = await Promise.all([
      fs.promises.realpath(candidate),
      fs.promises.realpath(root),
    ])
    if (!real.startsWith(realRoot + path.sep)) return undefined
    const stat = await fs.promises.stat(real)
    return stat.isFile() ? real : undefined
  } catch {
    return undefined
  }
}

function sendError(response: ServerResponse, status: number, message: string): void {
  const code = status === 404 ? 'NOT_FOUND' : 'BAD_REQUEST'
  response.statusCode = status
  response.setHeader('Content-Type', 'application/json; charset=utf-8')
  response.end(JSON.stringify(errorBody(code, message)))
}
