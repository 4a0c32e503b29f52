/**
 * Reads the process environment. Only runtime wiring modules (shared/runtime/*) call these,
 * once at cold start, so a missing or malformed variable fails the container at start-up
 * rather than a request later.
 */
export class ConfigurationError extends Error {
  override readonly name = 'ConfigurationError';
}

type Environment = Record<string, string | undefined>;

export const requiredString = (name: string, env: Environment = process.env): string => {
  const value = env[name];
  if (value === undefined || value.trim() === '') {
    throw new ConfigurationError(`Environment variable ${name} is required but was not set`);
  }
  return value.trim();
};

export const optionalString = (name: string, fallback: string, env: Environment = process.env): string => {
  const value = env[name];
  return value === undefined || value.trim() === '' ? fallback : value.trim();
};

export const optionalInteger = (name: string, fallback: number, env: Environment = process.env): number => {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) {
    throw new ConfigurationError(`Environment variable ${name} must be a non-negative integer, got "${raw}"`);
  }
  return value;
};

export const stringList = (name: string, env: Environment = process.env): string[] =>
  (env[name] ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0);

export const optionalJson = (name: string, env: Environment = process.env): unknown => {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return undefined;
  try {
    return JSON.parse(raw) as unknown;
  } catch (cause) {
    throw new ConfigurationError(`Environment variable ${name} must hold JSON`, { cause });
  }
};
