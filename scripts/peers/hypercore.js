// Part of `make bench-peers` (scripts/bench-peers.py): hypercore on the
// workload accord is measured on, one measurement per process so that the
// harness can interleave them with accord's. hypercore is installed at run
// time into a scratch folder (NODE_PATH). Each mode prints one JSON line and
// exits non-zero if the core does not hold exactly the blocks expected.
//
//   write DIR N SIZE BATCH  open the core at DIR (new if there is none) and
//                           append N blocks of SIZE bytes to it, BATCH at a
//                           time (1: one by one, each awaited)
//   replica DIR N           open the core at DIR (N blocks), replicate it
//                           into a fresh replica in the same process and
//                           download every block; the replica checks each
//                           block against the signed tree as it arrives, and
//                           only checked blocks are counted
const Hypercore = require('hypercore')
const fs = require('fs')
const path = require('path')

function seconds (since) {
  return Number(process.hrtime.bigint() - since) / 1e9
}

function count (arg, what) {
  const n = Number(arg)
  if (!Number.isInteger(n) || n < 1) throw new Error(`${what} must be a positive integer, got ${arg}`)
  return n
}

async function write (dir, n, size, batch) {
  const core = new Hypercore(dir)
  await core.ready()
  const before = core.length
  const block = Buffer.alloc(size, 0x5a)
  const t = process.hrtime.bigint()
  if (batch === 1) {
    for (let i = 0; i < n; i++) await core.append(block)
  } else {
    for (let done = 0; done < n; done += batch) {
      await core.append(Array(Math.min(batch, n - done)).fill(block))
    }
  }
  const took = seconds(t)
  const blocks = core.length - before
  const length = core.length
  await core.close()
  if (blocks !== n) throw new Error(`appended ${n} blocks but the core grew by ${blocks}`)
  return { mode: 'write', blocks, length, block_bytes: size, batch, seconds: took, per_s: blocks / took }
}

async function replicate (dir, n) {
  const core = new Hypercore(dir)
  await core.ready()
  if (core.length !== n) throw new Error(`the core at ${dir} holds ${core.length} blocks, expected ${n}`)
  const copyDir = fs.mkdtempSync(path.join(path.dirname(dir), 'replica-'))
  try {
    const replica = new Hypercore(copyDir, core.key)
    await replica.ready()
    // Emitted once per block, after the replica has checked it.
    let verified = 0
    replica.on('download', () => { verified++ })
    const a = core.replicate(true)
    const b = replica.replicate(false)
    a.pipe(b).pipe(a)
    const t = process.hrtime.bigint()
    await replica.download({ start: 0, end: n }).done()
    const took = seconds(t)
    const held = replica.contiguousLength
    await core.close()
    await replica.close()
    if (verified !== n || held !== n) {
      throw new Error(`replica of ${n} blocks: ${verified} downloaded and verified, ${held} held`)
    }
    return { mode: 'replica', blocks: verified, seconds: took, per_s: verified / took }
  } finally {
    fs.rmSync(copyDir, { recursive: true, force: true })
  }
}

async function main () {
  const [mode, dir, ...rest] = process.argv.slice(2)
  let out
  if (mode === 'write' && dir && rest.length === 3) {
    out = await write(dir, count(rest[0], 'N'), count(rest[1], 'SIZE'), count(rest[2], 'BATCH'))
  } else if (mode === 'replica' && dir && rest.length === 1) {
    out = await replicate(dir, count(rest[0], 'N'))
  } else {
    throw new Error('usage: hypercore.js write DIR N SIZE BATCH | replica DIR N')
  }
  console.log(JSON.stringify(out))
}

main().catch(e => { console.error(`hypercore.js: ${e.message}`); process.exit(1) })
