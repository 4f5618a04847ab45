import { MODEL_NAME_PATTERN } from '@ollama-lens/contracts';
import type { FastifySchemaValidationError, SchemaErrorDataVar } from 'fastify/types/schema';

/**
 * The routes' validation messages as fastify words them (`body/messages/0/role must be equal to one of
 * the allowed values`), except for a model name: instead of repeating the name pattern's regular
 * expression, it says what a model name looks like.
 */
export function validationMessage(
  errors: FastifySchemaValidationError[],
  dataVar: SchemaErrorDataVar
): Error {
  const text = errors
    .map((e) => {
      const where = `${dataVar}${e.instancePath}`;
      if (e.keyword === 'pattern' && (e.params as { pattern?: unknown }).pattern === MODEL_NAME_PATTERN)
        return `${where} is not a model name: expected [host[:port]/][namespace/]model[:tag] of letters, digits, '.', '_' and '-' (e.g. llama3.2:1b)`;
      return `${where} ${e.message ?? 'is invalid'}`;
    })
    .join(', ');
  return new Error(text);
}
