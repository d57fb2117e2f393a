/**
 * Text for `digit-studio model`: one row per layer (what it is, its output shape, parameters,
 * MFLOPs), the problem at the layer that breaks the stack, then the totals with the memory
 * estimate. Pure functions of protocol data.
 */
import type { LayerSpec } from '#shared/model-spec/schema'
import type { ArchitectureCheck, NamedArchitecture } from '#shared/protocol/architectures'

const int = (x: number): string => Math.round(x).toLocaleString('en-US')
const mb = (bytes: number): string => `${int(bytes / 2 ** 20)} MB`

/** A layer's settings in a few words, e.g. "32 3×3 s1 valid relu". */
function describeLayer(l: LayerSpec): string {
  switch (l.type) {
    case 'Conv2D':
      return `${l.filters} ${l.kernelSize}×${l.kernelSize} s${l.strides} ${l.padding} ${l.activation}${l.useBias ? '' : ' no-bias'}`
    case 'MaxPooling2D':
    case 'AveragePooling2D':
      return `${l.poolSize}×${l.poolSize} s${l.strides ?? l.poolSize} ${l.padding}`
    case 'BatchNormalization':
      return `momentum ${l.momentum}`
    case 'Dropout':
      return `rate ${l.rate}`
    case 'Activation':
      return l.activation
    case 'Dense':
      return `${l.units} ${l.activation}${l.useBias ? '' : ' no-bias'}`
    default:
      return ''
  }
}

/** The architecture as a table with totals; problems are shown where they are. */
export function formatArchitecture(check: ArchitectureCheck): string {
  const { spec, analysis } = check
  const rows = spec.layers.map((layer, i) => {
    const a = analysis.layers[i]
    return [
      `${i + 1}`,
      layer.type,
      describeLayer(layer),
      a.outputShape ? a.outputShape.join('×') : '-',
      a.outputShape ? int(a.params) : '-',
      a.outputShape ? a.mflops.toFixed(2) : '-',
      a.error ? `  <- ${a.error}` : ''
    ]
  })
  const head = ['#', 'Layer', 'Settings', 'Output', 'Params', 'MFLOPs', '']
  const widths = head.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)))
  const line = (r: string[]): string =>
    r
      .map((cell, c) => (c >= 4 && c <= 5 ? cell.padStart(widths[c]) : cell.padEnd(widths[c])))
      .join('  ')
      .trimEnd()
  return [
    `Architecture ${spec.name}: input 28×28×1`,
    line(head),
    ...rows.map(line),
    `${int(analysis.totalParams)} parameters (${int(analysis.trainableParams)} trainable), ` +
      `${analysis.mflopsPerImage.toFixed(2)} MFLOPs per image, ` +
      `training memory ~${mb(check.trainingBytes)} at batch ${check.batchSize} (${mb(check.availableBytes)} free)`,
    ...analysis.modelErrors,
    check.problem ? `Cannot train: ${check.problem}` : 'OK: this architecture can be trained'
  ].join('\n')
}

/** One line per preset or saved architecture. */
export function formatArchitectureList(list: NamedArchitecture[], dir: string): string {
  const rows = list.map(
    (a) =>
      `  ${a.name.padEnd(20)} ${a.kind.padEnd(6)} ${int(a.totalParams).padStart(11)} params  ${a.mflopsPerImage.toFixed(2).padStart(8)} MFLOPs/image`
  )
  return [...rows, `Saved architectures live in ${dir}`].join('\n')
}
