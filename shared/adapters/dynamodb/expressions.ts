/** Builds a ProjectionExpression with a placeholder per attribute (reserved words such as `ttl`, `counter`). */
export const projection = (attributes: readonly string[]) => ({
  ProjectionExpression: attributes.map((_, index) => `#p${index}`).join(', '),
  ExpressionAttributeNames: Object.fromEntries(attributes.map((name, index) => [`#p${index}`, name])),
});

/** Reads whether a transaction was cancelled by a failed condition, and which items failed. */
export const cancelledConditionIndexes = (error: unknown): number[] | undefined => {
  if (!(error instanceof Error) || error.name !== 'TransactionCanceledException') return undefined;
  const reasons = (error as Error & { CancellationReasons?: { Code?: string }[] }).CancellationReasons ?? [];
  const indexes = reasons.flatMap((reason, index) => (reason.Code === 'ConditionalCheckFailed' ? [index] : []));
  return indexes;
};

export const isConditionalCheckFailure = (error: unknown): boolean =>
  error instanceof Error && error.name === 'ConditionalCheckFailedException';
