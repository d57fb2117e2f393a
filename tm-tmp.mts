import { ensureTestModel } from '/work/main/test/fixtures/test-model.ts'
const t = Date.now()
console.log(await ensureTestModel(), (Date.now() - t) / 1000, 's')
