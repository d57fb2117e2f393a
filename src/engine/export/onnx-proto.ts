/**
 * The part of ONNX's `onnx.proto` (proto2, package `onnx`) an inference model needs, with the
 * official field numbers, encoded with protobufjs. Kept as schema text rather than generated code
 * so a reader can compare it line by line with upstream `onnx/onnx.proto`.
 */
import protobuf from 'protobufjs'

const ONNX_SUBSET = `
syntax = "proto2";
package onnx;

message AttributeProto {
  enum AttributeType { UNDEFINED = 0; FLOAT = 1; INT = 2; STRING = 3; TENSOR = 4; GRAPH = 5;
    FLOATS = 6; INTS = 7; STRINGS = 8; TENSORS = 9; GRAPHS = 10; }
  optional string name = 1;
  optional AttributeType type = 20;
  optional float f = 2;
  optional int64 i = 3;
  optional bytes s = 4;
  optional TensorProto t = 5;
  repeated float floats = 7;
  repeated int64 ints = 8;
  repeated bytes strings = 9;
}
message ValueInfoProto {
  optional string name = 1;
  optional TypeProto type = 2;
  optional string doc_string = 3;
}
message NodeProto {
  repeated string input = 1;
  repeated string output = 2;
  optional string name = 3;
  optional string op_type = 4;
  optional string domain = 7;
  repeated AttributeProto attribute = 5;
  optional string doc_string = 6;
}
message ModelProto {
  optional int64 ir_version = 1;
  repeated OperatorSetIdProto opset_import = 8;
  optional string producer_name = 2;
  optional string producer_version = 3;
  optional string domain = 4;
  optional int64 model_version = 5;
  optional string doc_string = 6;
  optional GraphProto graph = 7;
  repeated StringStringEntryProto metadata_props = 14;
}
message StringStringEntryProto {
  optional string key = 1;
  optional string value = 2;
}
message GraphProto {
  repeated NodeProto node = 1;
  optional string name = 2;
  repeated TensorProto initializer = 5;
  optional string doc_string = 10;
  repeated ValueInfoProto input = 11;
  repeated ValueInfoProto output = 12;
  repeated ValueInfoProto value_info = 13;
}
message TensorProto {
  enum DataType { UNDEFINED = 0; FLOAT = 1; UINT8 = 2; INT8 = 3; UINT16 = 4; INT16 = 5; INT32 = 6;
    INT64 = 7; STRING = 8; BOOL = 9; FLOAT16 = 10; DOUBLE = 11; }
  repeated int64 dims = 1;
  optional int32 data_type = 2;
  repeated float float_data = 4 [packed = true];
  repeated int64 int64_data = 7 [packed = true];
  optional string name = 8;
  optional bytes raw_data = 9;
  optional string doc_string = 12;
}
message TensorShapeProto {
  message Dimension {
    oneof value {
      int64 dim_value = 1;
      string dim_param = 2;
    }
    optional string denotation = 3;
  }
  repeated Dimension dim = 1;
}
message TypeProto {
  message Tensor {
    optional int32 elem_type = 1;
    optional TensorShapeProto shape = 2;
  }
  oneof value {
    Tensor tensor_type = 1;
  }
  optional string denotation = 6;
}
message OperatorSetIdProto {
  optional string domain = 1;
  optional int64 version = 2;
}
`

let root: protobuf.Root | null = null

/** The parsed schema (parsed once per process). */
function onnxRoot(): protobuf.Root {
  root ??= protobuf.parse(ONNX_SUBSET, { keepCase: true }).root
  return root
}

/** Encodes a plain ModelProto object (snake_case field names, as in onnx.proto). */
export function encodeModel(model: Record<string, unknown>): Uint8Array {
  const ModelProto = onnxRoot().lookupType('onnx.ModelProto')
  const problem = ModelProto.verify(model)
  if (problem) throw new Error(`internal ONNX encoding error: ${problem}`)
  return ModelProto.encode(ModelProto.fromObject(model)).finish()
}

/** Decodes ONNX bytes back to a plain object (tests and sanity checks). */
export function decodeModel(bytes: Uint8Array): Record<string, unknown> {
  const ModelProto = onnxRoot().lookupType('onnx.ModelProto')
  return ModelProto.toObject(ModelProto.decode(bytes), {
    longs: Number,
    bytes: Array,
    defaults: false
  }) as Record<string, unknown>
}

/** TensorProto.DataType.FLOAT / INT64. */
export const ONNX_FLOAT = 1
export const ONNX_INT64 = 7
/** AttributeProto.AttributeType values used by the converter. */
export const ATTR = { FLOAT: 1, INT: 2, STRING: 3, INTS: 7 } as const
