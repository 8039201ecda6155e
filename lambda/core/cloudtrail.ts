/**
 * Defensive readers for CloudTrail's JSON rendering of the EC2 API.
 * CloudTrail renders lists as `xxxSet: {items: [...]}`, but also as `{item: [...]}`, `{}`, or not
 * at all; scalars may be strings where a boolean is meant. Every reader here accepts all of those
 * and never throws.
 */

/** A JSON object, as far as we can tell. */
export type JsonObject = Record<string, unknown>;

/** Narrows an unknown to a plain JSON object. */
export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Returns the object at `key`, or undefined. */
export function obj(parent: unknown, key: string): JsonObject | undefined {
  if (!isObject(parent)) return undefined;
  const value = parent[key];
  return isObject(value) ? value : undefined;
}

/** Returns the non-empty string at `key`, or undefined. */
export function str(parent: unknown, key: string): string | undefined {
  if (!isObject(parent)) return undefined;
  const value = parent[key];
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/** Returns the boolean at `key`, accepting JSON booleans and the strings "true"/"false". */
export function bool(parent: unknown, key: string): boolean | undefined {
  if (!isObject(parent)) return undefined;
  const value = parent[key];
  if (typeof value === 'boolean') return value;
  if (value === 'true') return true;
  if (value === 'false') return false;
  return undefined;
}

/**
 * Returns the elements of a CloudTrail set: `{items:[…]}`, `{item:[…]}`, a bare array, `{}`, or
 * absent. Elements that are not objects (`null`, strings) are dropped.
 */
export function setItems(parent: unknown, key: string): JsonObject[] {
  const value = isObject(parent) ? parent[key] : undefined;
  if (Array.isArray(value)) return value.filter(isObject);
  if (!isObject(value)) return [];
  if (Array.isArray(value['items'])) return value['items'].filter(isObject);
  if (Array.isArray(value['item'])) return value['item'].filter(isObject);
  return isObject(value['item']) ? [value['item']] : [];
}
