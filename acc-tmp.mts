import { measureAccuracy } from '/work/main/test/fixtures/accuracy.ts'
const dir = process.argv[2]
const t = Date.now()
console.log(dir, JSON.stringify(await measureAccuracy(dir, Number(process.argv[3] ?? 300), Number(process.argv[4] ?? 40))), (Date.now() - t) / 1000, 's')
