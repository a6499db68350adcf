import type { Logger } from "pino";
import type { AccessPolicy } from "../access/authentication.js";
import type { OcspResponder } from "../ca/ocsp-responder.js";
import type { Config } from "../config.js";
import type { Services } from "../services/services.js";

/**
 * What the HTTP server takes of the app `createApp` builds: the parts its routes call. The app
 * is started and closed by whoever serves it, never by a route.
 */
export interface ServedApp {
  readonly config: Config;
  readonly services: Services;
  readonly policy: AccessPolicy;
  readonly log: Logger;
  readonly ocsp: OcspResponder;
}
