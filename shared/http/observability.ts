import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';

/**
 * Powertools, once per container. Service name, namespace and log level come from the
 * standard POWERTOOLS_* variables the function construct (or the local stage) sets.
 */
export const logger = new Logger({ serviceName: 'latchkey' });
export const metrics = new Metrics({ namespace: 'Latchkey', serviceName: 'latchkey' });
export const tracer = new Tracer({ serviceName: 'latchkey' });
