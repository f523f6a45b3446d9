// google.protobuf.Struct from plain JSON (a TypedStruct's value) and back. protobufjs defines the
// well-known types itself, with camelCase field names, whatever the loader's keepCase says.

export interface StructValue {
  nullValue?: 'NULL_VALUE';
  numberValue?: number;
  stringValue?: string;
  boolValue?: boolean;
  structValue?: { fields: Record<string, StructValue> };
  listValue?: { values: StructValue[] };
}

export function toValue(v: unknown): StructValue {
  if (v === null || v === undefined) return { nullValue: 'NULL_VALUE' };
  if (typeof v === 'boolean') return { boolValue: v };
  if (typeof v === 'number') return { numberValue: v };
  if (typeof v === 'string') return { stringValue: v };
  if (Array.isArray(v)) return { listValue: { values: v.map(toValue) } };
  return { structValue: toStruct(v as Record<string, unknown>) };
}

export function toStruct(o: Record<string, unknown>): { fields: Record<string, StructValue> } {
  return { fields: Object.fromEntries(Object.entries(o).map(([k, v]) => [k, toValue(v)])) };
}

/** A decoded Struct (as proto-loader gives it, with `kind` set by oneofs) back to plain JSON. */
export function fromStruct(s: { fields?: Record<string, unknown> } | null | undefined): Record<string, unknown> {
  const value = (v: Record<string, unknown>): unknown => {
    // `kind` names the set field when the loader ran with oneofs; else the one field set tells.
    const kind = (v.kind as string | undefined) ?? Object.keys(v).find((k) => k.endsWith('Value') && v[k] !== undefined && v[k] !== null);
    if (kind === 'structValue') return fromStruct(v.structValue as { fields: Record<string, unknown> });
    if (kind === 'listValue') return ((v.listValue as { values?: Array<Record<string, unknown>> }).values ?? []).map(value);
    if (kind === 'nullValue') return null;
    return kind ? v[kind] : undefined;
  };
  return Object.fromEntries(Object.entries(s?.fields ?? {}).map(([k, v]) => [k, value(v as Record<string, unknown>)]));
}
