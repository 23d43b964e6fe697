/**
 * The API every target ends at: plain node:http answering each request with the same small JSON
 * body over keep-alive. Prints `{ url }` once listening.
 */

import http from 'node:http'
import { endWithParent, printMessage } from './bench-process.mjs'

const BODY = Buffer.from(
  JSON.stringify({ id: 42, name: 'Blue widget', price: 9.99, tags: ['hardware', 'blue'] }),
)

const server = http.createServer((req, res) => {
  // Drain any request body so the connection stays reusable.
  req.resume()
  res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': BODY.length })
  res.end(BODY)
})

// Longer than any pause between phases, so a proxy never reuses a socket the upstream is closing.
server.keepAliveTimeout = 120_000

server.listen(0, '127.0.0.1', () => {
  printMessage({ url: `http://127.0.0.1:${server.address().port}` })
})

endWithParent(async () => {
  server.closeAllConnections()
  await new Promise((resolve) => server.close(resolve))
})
