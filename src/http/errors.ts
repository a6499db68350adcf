import type { FastifyError, FastifyInstance } from "fastify";
import { hasZodFastifySchemaValidationErrors } from "fastify-type-provider-zod";
import { z } from "zod";
import {
  type CodedError,
  type ErrorCode,
  errorCatalog,
  isClientError,
  TesseraError,
} from "../domain/errors.js";
import { pkiErrorCatalog } from "../pki/index.js";
import { validationError } from "../processes/validation.js";
import { translateConstraintError } from "../store/constraint-errors.js";
import { isUiRoute } from "./web-ui.js";

export const errorBodySchema = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    details: z.record(z.string(), z.unknown()).optional(),
  }),
});

const fastifyCodes: Record<string, ErrorCode> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: "request.unsupported_media_type",
  FST_ERR_CTP_BODY_TOO_LARGE: "request.too_large",
  FST_ERR_CTP_EMPTY_JSON_BODY: "request.malformed_json",
  FST_ERR_CTP_INVALID_JSON_BODY: "request.malformed_json",
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: "request.invalid",
};

/** The one place errors become responses: `{"error": {"code", "message"}}` with a 4xx, or a logged 500. */
export function registerErrorHandling(server: FastifyInstance, hasUi: boolean): void {
  server.setErrorHandler((caught: FastifyError, request, reply) => {
    let error: CodedError | undefined;
    if (isClientError(caught)) error = caught;
    else if (hasZodFastifySchemaValidationErrors(caught))
      error = validationError(
        caught.validation.map((v) => ({
          path: [caught.validationContext ?? "", ...v.instancePath.split("/").filter(Boolean)].filter(
            Boolean,
          ),
          message: v.message ?? "is not valid",
        })),
      );
    else if (caught.code && fastifyCodes[caught.code]) error = new TesseraError(fastifyCodes[caught.code]!);
    else if (caught instanceof SyntaxError && caught.statusCode === 400)
      error = new TesseraError("request.malformed_json");
    else error = translateConstraintError(caught);

    if (!error) {
      request.log.error({ err: caught }, "unexpected error");
      return reply.status(500).send({
        error: {
          code: "internal",
          message: "Something went wrong on our side; the request id is " + request.id,
        },
      });
    }
    if (error.status >= 500) request.log.error({ err: caught }, error.message);
    return reply.status(error.status).send({
      error: { code: error.code, message: error.message, ...(error.details && { details: error.details }) },
    });
  });

  server.setNotFoundHandler((request, reply) => {
    if (hasUi && isUiRoute(request.method, request.url))
      return reply.type("text/html").sendFile("index.html");
    return reply.status(404).send({
      error: {
        code: "route.not_found",
        message: `There is no route ${request.method} ${request.url.split("?")[0]}.`,
      },
    });
  });
}

/** The error codes with their statuses, for the OpenAPI document. */
export function documentedErrors(): string {
  return Object.entries({ ...errorCatalog, ...pkiErrorCatalog })
    .filter(([, { status }]) => status < 500)
    .map(([code, { status, message }]) => `| \`${code}\` | ${status} | ${message} |`)
    .join("\n");
}
