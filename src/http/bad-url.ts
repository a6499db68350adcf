import { STATUS_CODES } from "node:http";
import type { Socket } from "node:net";
import type { FastifyError, FastifyReply, FastifyRequest } from "fastify";
import { type ErrorCode, errorCatalog } from "../domain/errors.js";
import type { ServedApp } from "./served-app.js";

/**
 * What the router says when it cannot even read the address (a `%` that starts no `%XX`
 * escape, a path segment longer than the router takes): the API's error shape with a code
 * from the catalog, and for a GET OCSP path an OCSP malformedRequest, as every other
 * unreadable OCSP request gets (RFC 6960 §2.3).
 */
export function answerUnreadableUrl(app: ServedApp) {
  return (error: FastifyError, request: FastifyRequest, reply: FastifyReply): void => {
    if (request.method === "GET" && request.url.startsWith("/pki/ocsp/")) {
      void app.ocsp.answer(new Uint8Array(0)).then(
        (der) => reply.type("application/ocsp-response").header("cache-control", "no-store").send(der),
        (caught: unknown) => reply.send(caught),
      );
      return;
    }
    const code: ErrorCode =
      error.code === "FST_ERR_MAX_PARAM_LENGTH" ? "request.url_too_long" : "request.invalid_url";
    reply.status(errorCatalog[code].status).send({ error: { code, message: errorCatalog[code].message } });
  };
}

/**
 * What the HTTP parser refuses before any route sees it (a NUL in a header, a space in the
 * address, Content-Length with chunked encoding, headers over the limit, a request too slow
 * to arrive): the API's error shape with a code from the catalog, then the connection closes.
 */
export function answerUnreadableRequest(error: NodeJS.ErrnoException, socket: Socket): void {
  // The client went away: nobody to answer.
  if (error.code === "ECONNRESET" || socket.destroyed) return;
  const code: ErrorCode =
    error.code === "HPE_HEADER_OVERFLOW"
      ? "request.headers_too_large"
      : error.code === "ERR_HTTP_REQUEST_TIMEOUT"
        ? "request.timeout"
        : "request.malformed_http";
  const { status, message } = errorCatalog[code];
  const body = JSON.stringify({ error: { code, message } });
  if (socket.writable)
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n` +
        "Content-Type: application/json; charset=utf-8\r\n" +
        `Content-Length: ${Buffer.byteLength(body)}\r\n` +
        "Connection: close\r\n\r\n" +
        body,
    );
  socket.destroy();
}
