// Part of `make bench-peers` (scripts/bench-peers.py): hypercore on the
// workload accord is measured on. Appends N blocks of SIZE bytes one at a
// time (awaiting each), then N more in batches of 1000, then replicates the
// core into a fresh replica in the same process and downloads every block
// (the replica verifies the signed tree as it goes). Prints one JSON line.
// hypercore is installed at run time into a scratch folder (NODE_PATH).
const Hypercore = require('hypercore')
const fs = require('fs')
const os = require('os')
const path = require('path')

const n = Number(process.argv[2] || 10000)
const size = Number(process.argv[3] || 400)

function seconds (since) {
  return Number(process.hrtime.bigint() - since) / 1e9
}

async function main () {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'accord-peers-hypercore-'))
  try {
    const core = new Hypercore(path.join(dir, 'writer'))
    await core.ready()
    const block = Buffer.alloc(size, 0x5a)
    let t = process.hrtime.bigint()
    for (let i = 0; i < n; i++) await core.append(block)
    const oneAtATime = n / seconds(t)
    t = process.hrtime.bigint()
    for (let done = 0; done < n; done += 1000) {
      await core.append(Array(Math.min(1000, n - done)).fill(block))
    }
    const batched = n / seconds(t)
    const replica = new Hypercore(path.join(dir, 'replica'), core.key)
    await replica.ready()
    const a = core.replicate(true)
    const b = replica.replicate(false)
    a.pipe(b).pipe(a)
    t = process.hrtime.bigint()
    await replica.download({ start: 0, end: core.length }).done()
    const replicaRate = core.length / seconds(t)
    if (replica.contiguousLength !== core.length) throw new Error('replica incomplete')
    await core.close()
    await replica.close()
    console.log(JSON.stringify({
      blocks: core.length,
      block_bytes: size,
      append_one_per_s: oneAtATime,
      append_batch_1000_per_s: batched,
      replica_verify_per_s: replicaRate
    }))
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

main().catch(e => { console.error(e); process.exit(1) })
