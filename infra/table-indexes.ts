import { tableSchema } from '../shared/storage/table.ts';

export type TableIndexName = (typeof tableSchema.globalSecondaryIndexes)[number]['indexName'];

/** Every index of the shared schema, in schema order. */
export const allTableIndexes: readonly TableIndexName[] = tableSchema.globalSecondaryIndexes.map((index) => index.indexName);

/** Thrown at synth when `-c tableIndexes=…` names no usable set of indexes. */
export class TableIndexSelectionError extends Error {
  override readonly name = 'TableIndexSelectionError';
}

/**
 * The indexes the table is built with, from the `tableIndexes` context value: absent, every
 * index of the schema; otherwise a comma-separated list of index names. DynamoDB adds one
 * global secondary index per table update, so a deployed table that lacks several indexes
 * is brought up to the schema one deployment per index (docs/deploy.md, "Table indexes").
 */
export const selectTableIndexes = (value: unknown): readonly TableIndexName[] => {
  if (value === undefined) return allTableIndexes;
  const known = allTableIndexes.join(', ');
  if (typeof value !== 'string' || value.trim() === '') {
    throw new TableIndexSelectionError(`-c tableIndexes must list index names separated by commas, from: ${known}`);
  }
  const names = value.split(',').map((name) => name.trim());
  for (const name of names) {
    // Ensure every name is an index of the shared schema, so a typo cannot drop an index.
    if (!(allTableIndexes as readonly string[]).includes(name)) {
      throw new TableIndexSelectionError(`-c tableIndexes names "${name}", which is not an index of the table schema: expected some of ${known}`);
    }
  }
  if (new Set(names).size !== names.length) {
    throw new TableIndexSelectionError('-c tableIndexes names an index twice');
  }
  return allTableIndexes.filter((name) => names.includes(name));
};
