import type { FastifyError, FastifyInstance } from "fastify";
import { hasZodFastifySchemaValidationErrors } from "fastify-type-provider-zod";
import { z } from "zod";
import { type ErrorCode, errorCatalog, isClientError, TesseraError } from "../domain/errors.js";
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

/**
 * The one place errors become responses: `{"error": {"code", "message"}}` with a 4xx, or a logged
 * 500 `internal` (a 500 code of the catalog too: it marks a bug, and its sentence is not the
 * client's business).
 */
export function registerErrorHandling(server: FastifyInstance, hasUi: boolean): void {
  server.setErrorHandler((caught: FastifyError, request, reply) => {
    let error: TesseraError | undefined;
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

/**
 * The error table of the OpenAPI document: every code of the catalog with its status and
 * sentence, in Markdown.
 */
export function documentedErrors(): string {
  return [
    "| code | status | meaning |",
    "| --- | --- | --- |",
    ...Object.entries(errorCatalog).map(
      ([code, { status, message }]) => `| \`${code}\` | ${status} | ${message} |`,
    ),
    "",
    "A request is never answered with a 500 code of this table: it gets `internal` (a bug, logged).",
    "Those codes are seen as a card's failure reason in a batch's results, or at the command line.",
  ].join("\n");
}
