/**
 * RELIABILITY R5: a lock held by a process that has exited is stale, even while the process is a
 * zombie nobody has reaped. That is what an engine becomes when its CLI parent is killed on a
 * machine whose PID 1 doesn't reap (containers, CI runners): its study lock then blocked the resume.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { hostname, tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { acquireFolderLock, lockHolder } from '#engine/store/folder-lock'
import { processAlive } from '#engine/store/process-alive'
import { processState } from '../helpers/processes'

const parents: ChildProcess[] = []
afterAll(() => parents.forEach((p) => p.kill('SIGKILL')))

/** A process that forks a child which exits at once and is never reaped; resolves the child's pid. */
function makeZombie(): Promise<number> {
  const script =
    'import os, sys, time\npid = os.fork()\nif pid == 0: os._exit(0)\nprint(pid, flush=True)\ntime.sleep(60)'
  const parent = spawn('python3', ['-c', script])
  parents.push(parent)
  return new Promise((resolve, reject) => {
    parent.stdout.once('data', (d: Buffer) => resolve(Number(String(d).trim())))
    parent.once('error', reject)
  })
}

async function waitForZombie(pid: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (processState(pid) === 'Z') return
    await new Promise((r) => setTimeout(r, 20))
  }
  throw new Error(`pid ${pid} never became a zombie`)
}

describe.runIf(process.platform === 'linux')('processAlive', () => {
  it('is true for a running process and false for an unreaped zombie', async () => {
    const zombie = await makeZombie()
    await waitForZombie(zombie)
    // kill(pid, 0) alone still "finds" the zombie: the bug this guards against.
    expect(() => process.kill(zombie, 0)).not.toThrow()
    expect(processAlive(zombie)).toBe(false)
    expect(processAlive(process.pid)).toBe(true)
    expect(processAlive(parents[0]!.pid!)).toBe(true)
  })

  it('a lock whose holder is a zombie is stale and is taken over', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'ds-zombie-lock-'))
    try {
      const zombie = await makeZombie()
      await waitForZombie(zombie)
      const holder = { pid: zombie, hostname: hostname(), startedAt: '', job: 'study x' }
      writeFileSync(join(folder, 'lock.json'), JSON.stringify(holder))
      expect(await lockHolder(folder)).toBeNull()
      const release = await acquireFolderLock(folder, 'study y')
      expect((await lockHolder(folder))?.pid).toBe(process.pid)
      release()
    } finally {
      await rm(folder, { recursive: true, force: true })
    }
  })
})
