/** The ONNX graph under construction: nodes, initializers and attribute helpers. */
import { ATTR, ONNX_FLOAT, ONNX_INT64 } from './onnx-proto'

export type Attr = Record<string, unknown>
/** Where the tensor is: channels-first before Flatten, a flat vector after. */
export type Layout = 'nchw' | 'flat'

export const ints = (name: string, values: number[]): Attr => ({
  name,
  type: ATTR.INTS,
  ints: values
})
export const int = (name: string, value: number): Attr => ({ name, type: ATTR.INT, i: value })
export const float = (name: string, value: number): Attr => ({ name, type: ATTR.FLOAT, f: value })

/** Accumulates nodes and initializers with unique, readable tensor names. */
export class GraphBuilder {
  readonly nodes: Record<string, unknown>[] = []
  readonly initializers: Record<string, unknown>[] = []
  private count = 0

  node(op: string, inputs: string[], attrs: Attr[] = [], hint = op.toLowerCase()): string {
    const output = `${hint}_${this.count++}`
    this.nodes.push({
      op_type: op,
      name: output,
      input: inputs,
      output: [output],
      attribute: attrs
    })
    return output
  }

  floats(name: string, dims: number[], data: Float32Array): string {
    const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
    // raw_data is little-endian by the spec; Float32Array is little-endian on every platform we ship.
    this.initializers.push({ name, dims, data_type: ONNX_FLOAT, raw_data: Uint8Array.from(bytes) })
    return name
  }

  int64s(name: string, values: number[]): string {
    this.initializers.push({
      name,
      dims: [values.length],
      data_type: ONNX_INT64,
      int64_data: values
    })
    return name
  }
}
