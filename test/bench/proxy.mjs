/**
 * The proxy part of the bench: the same load through no proxy, http-proxy, Tollgate and mockttp.
 *
 * Where things run: the upstream, the load generator and each proxy under test get their own
 * process. On two cores that is the fairest split: no proxy shares an event loop with the load
 * or the upstream, so each target pays only for its own work, and the direct target (one process
 * fewer) shows the ceiling the proxies are measured against. The proxies all start first and
 * wait idle while another is measured, so the targets can take turns (see load.mjs).
 */

import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { runChild, startChild } from './bench-process.mjs'

const here = path.dirname(fileURLToPath(import.meta.url))
const PROXIES = ['http-proxy', 'tollgate', 'mockttp']

/** Starts the upstream and every proxy, runs the loads through them, then stops them all. */
export async function measureProxies(durations) {
  const { warmupS, sliceS, autocannonRounds, sequentialSliceS, sequentialRounds } = durations
  const children = []
  const targets = {}
  const runLoad = (args) => runChild(path.join(here, 'load.mjs'), args)

  try {
    const upstream = startChild(path.join(here, 'upstream.mjs'))
    children.push(upstream)
    const urls = { direct: (await upstream.nextMessage()).url }

    const proxies = {}
    for (const name of PROXIES) {
      const proxy = startChild(path.join(here, 'proxy-target.mjs'), [name, urls.direct])
      children.push(proxy)
      try {
        urls[name] = (await proxy.nextMessage()).url
        proxies[name] = proxy
      } catch (error) {
        targets[name] = { error: error.message }
      }
    }
    const namedUrls = Object.entries(urls).map(([name, url]) => `${name}=${url}`)

    const loads = {}
    for (const connections of [1, 32]) {
      process.stderr.write(`bench: ${connections} connection(s), targets taking turns\n`)
      loads[connections] = await runLoad([
        'autocannon',
        connections,
        warmupS,
        sliceS,
        autocannonRounds,
        ...namedUrls,
      ])
    }
    process.stderr.write('bench: sequential requests, targets taking turns\n')
    const sequentialArgs = ['sequential', warmupS, sequentialSliceS, sequentialRounds]
    const sequential = await runLoad([...sequentialArgs, ...namedUrls])

    for (const name of Object.keys(urls)) {
      const final = proxies[name]?.nextMessage() ?? Promise.resolve({})
      await proxies[name]?.stop()
      targets[name] = {
        one: loads[1][name],
        many: loads[32][name],
        sequential: sequential[name],
        proxy: await final,
      }
    }
  } finally {
    await Promise.all(children.map((child) => child.stop()))
  }

  return targets
}
