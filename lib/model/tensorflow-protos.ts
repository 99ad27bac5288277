import type * as protobuf from 'protobufjs';
import { thirdParty } from '../core/third-party';

/**
 * The few TensorFlow messages needed to read a SavedModel's serving signatures and variables.
 * Only the fields used here are declared (protobuf skips the others). Names and field numbers
 * are TensorFlow's own, from its published proto definitions:
 *   tensorflow/core/protobuf/saved_model.proto         SavedModel
 *   tensorflow/core/protobuf/meta_graph.proto          MetaGraphDef, MetaInfoDef, SignatureDef, TensorInfo
 *   tensorflow/core/protobuf/saved_object_graph.proto  SavedObjectGraph, SavedObject, SavedVariable
 *   tensorflow/core/framework/tensor_shape.proto       TensorShapeProto
 *   tensorflow/core/framework/types.proto              DataType
 */
const PROTO = `
syntax = "proto3";
package tensorflow;

message SavedModel {
  int64 saved_model_schema_version = 1;
  repeated MetaGraphDef meta_graphs = 2;
}

message MetaGraphDef {
  message MetaInfoDef {
    repeated string tags = 4;
    string tensorflow_version = 5;
  }
  MetaInfoDef meta_info_def = 1;
  map<string, SignatureDef> signature_def = 5;
  SavedObjectGraph object_graph_def = 7;
}

message SignatureDef {
  map<string, TensorInfo> inputs = 1;
  map<string, TensorInfo> outputs = 2;
  string method_name = 3;
}

message TensorInfo {
  string name = 1;
  DataType dtype = 2;
  TensorShapeProto tensor_shape = 3;
}

message TensorShapeProto {
  message Dim {
    int64 size = 1;
    string name = 2;
  }
  repeated Dim dim = 2;
  bool unknown_rank = 3;
}

message SavedObjectGraph {
  repeated SavedObject nodes = 1;
}

message SavedObject {
  SavedVariable variable = 7;
}

message SavedVariable {
  DataType dtype = 1;
  TensorShapeProto shape = 2;
  bool trainable = 3;
  string name = 6;
}

enum DataType {
  DT_INVALID = 0;
  DT_FLOAT = 1;
  DT_DOUBLE = 2;
  DT_INT32 = 3;
  DT_UINT8 = 4;
  DT_INT16 = 5;
  DT_INT8 = 6;
  DT_STRING = 7;
  DT_COMPLEX64 = 8;
  DT_INT64 = 9;
  DT_BOOL = 10;
  DT_QINT8 = 11;
  DT_QUINT8 = 12;
  DT_QINT32 = 13;
  DT_BFLOAT16 = 14;
  DT_QINT16 = 15;
  DT_QUINT16 = 16;
  DT_UINT16 = 17;
  DT_COMPLEX128 = 18;
  DT_HALF = 19;
  DT_RESOURCE = 20;
  DT_VARIANT = 21;
  DT_UINT32 = 22;
  DT_UINT64 = 23;
}
`;

/** Bytes per element of each DataType (types.proto); absent for types without a fixed size (strings, resources). */
export const DTYPE_BYTES: Readonly<Record<string, number>> = {
  DT_FLOAT: 4, DT_DOUBLE: 8, DT_INT32: 4, DT_UINT8: 1, DT_INT16: 2, DT_INT8: 1, DT_COMPLEX64: 8, DT_INT64: 8,
  DT_BOOL: 1, DT_QINT8: 1, DT_QUINT8: 1, DT_QINT32: 4, DT_BFLOAT16: 2, DT_QINT16: 2, DT_QUINT16: 2, DT_UINT16: 2,
  DT_COMPLEX128: 16, DT_HALF: 2, DT_UINT32: 4, DT_UINT64: 8,
};

/** Decoded shapes: `size` -1 is an unknown dimension. */
export interface ShapeMessage { readonly dim?: Array<{ readonly size?: number }>; readonly unknown_rank?: boolean }
export interface TensorInfoMessage { readonly name?: string; readonly dtype?: string; readonly tensor_shape?: ShapeMessage }
export interface SignatureDefMessage { readonly inputs?: Record<string, TensorInfoMessage>; readonly outputs?: Record<string, TensorInfoMessage>; readonly method_name?: string }
export interface SavedVariableMessage { readonly dtype?: string; readonly shape?: ShapeMessage; readonly trainable?: boolean; readonly name?: string }
export interface MetaGraphMessage {
  readonly meta_info_def?: { readonly tags?: string[]; readonly tensorflow_version?: string };
  readonly signature_def?: Record<string, SignatureDefMessage>;
  readonly object_graph_def?: { readonly nodes?: Array<{ readonly variable?: SavedVariableMessage }> };
}
export interface SavedModelMessage { readonly saved_model_schema_version?: number; readonly meta_graphs?: MetaGraphMessage[] }

let savedModelType: protobuf.Type | undefined;

/** The `SavedModel` message of the schema above (the tests also encode variants of their fixtures with it). */
export function savedModelMessageType(): protobuf.Type {
  savedModelType ??= thirdParty().protobuf.parse(PROTO, { keepCase: true }).root.lookupType('tensorflow.SavedModel');
  return savedModelType;
}

/** Decodes a `saved_model.pb`. Throws protobuf's error on bytes that are not a SavedModel message (e.g. a truncated file). */
export function decodeSavedModel(bytes: Uint8Array): SavedModelMessage {
  const type = savedModelMessageType();
  return type.toObject(type.decode(bytes), { longs: Number, enums: String, defaults: false, arrays: true, objects: true }) as SavedModelMessage;
}
