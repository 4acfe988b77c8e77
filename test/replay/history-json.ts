/**
 * Workflow histories to and from Temporal's JSON history format (what `temporal workflow show
 * --output json` and the Web UI's download write, and what `historyToJSON` from
 * `@temporalio/common/lib/proto-utils` writes).
 *
 * Why not `historyToJSON`/`historyFromJSON` themselves: in this install they throw "type must be
 * a Type". npm hoists protobufjs@7 (for @grpc/proto-loader) to the top, so @temporalio/common and
 * @temporalio/proto each get their own nested protobufjs@8, and protobufjs's ProtoJSON extension
 * from common's copy rejects the reflection types built by proto's copy (an `instanceof` check).
 * This module does the same conversion with the protobufjs copy @temporalio/proto itself uses,
 * so it works with either layout.
 */
import type { History } from '@temporalio/common/lib/proto-utils.js';
import { createRequire } from 'node:module';

export type { History };

interface ReflectionType {
  readonly fullName: string;
}
interface ProtoJson {
  toJson(type: ReflectionType, message: unknown): unknown;
  fromJson(type: ReflectionType, json: unknown, options?: { ignoreUnknownFields?: boolean }): unknown;
}
interface ProtoModule {
  temporal: { api: { history: { v1: { History: { fromObject(object: unknown): unknown } } } } };
}

const fromCommon = createRequire(createRequire(import.meta.url).resolve('@temporalio/common'));
const protoPath = fromCommon.resolve('@temporalio/proto');
const fromProto = createRequire(protoPath);
const proto = fromProto(protoPath) as ProtoModule & Record<string, unknown>;
const patch = fromProto('@temporalio/proto/lib/patch-protobuf-root') as {
  patchProtobufRoot<T>(root: T): T & { lookupType(name: string): ReflectionType };
};
const protoJson = fromProto('protobufjs/ext/protojson') as ProtoJson;
const historyType = patch.patchProtobufRoot(proto).lookupType('temporal.api.history.v1.History');

/** A history (as `handle.fetchHistory()` returns it) as Temporal's JSON history text. */
export function historyToJson(history: History): string {
  return `${JSON.stringify(protoJson.toJson(historyType, proto.temporal.api.history.v1.History.fromObject(history)), null, 2)}\n`;
}

/** Temporal's JSON history (parsed) as a History that `Worker.runReplayHistory` accepts. */
export function historyFromJson(json: unknown): History {
  // Fields a newer server or SDK added are ignored, as the SDK's own historyFromJSON does.
  return protoJson.fromJson(historyType, json, { ignoreUnknownFields: true }) as History;
}
