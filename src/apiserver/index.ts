export { createApiServer, MAX_BODY_BYTES, type ApiServerDeps } from './server.js';
export { createApiMetrics, type ApiMetrics } from './metrics.js';
export {
  anonymousAdmin,
  loadTokenAuthenticator,
  type Authenticator,
  type UserInfo,
} from './authentication.js';
